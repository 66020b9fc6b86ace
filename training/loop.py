"""The training loop: data, steps, validation, atomic checkpoints, stop on signal, final export."""
from __future__ import annotations

import json
import logging
import math
import os
import signal
import time
from pathlib import Path

import torch
import torch.distributed as dist

from net.atomic import write_text_atomic
from net.retraining import ARGS_NAME, HELD_OUT_SHARE, MODEL_NAME
from net.weights import save_model

from .checkpoint import CheckpointError, load_checkpoint, require_same_on_resume, save_checkpoint
from .data import PhotoStream, Source, decode_folder, validation_batch
from .held_out import score_run
from .hint_sampling import HintSamplingConfig
from .logs import append_log_row, curve_title, plot_curves, progress_line, start_log
from .resume_options import how_to_resume
from .run import CKPT_NAME, Run

BEST_NAME = "best.safetensors"    # the weights at the lowest validation loss so far
MIN_ROW_STEPS = 10               # steps the training loss of a resume's or a stop's row averages

log = logging.getLogger("colorizer.train")


class Stopped(KeyboardInterrupt):
    """The run stopped on a signal (``signum``: SIGINT for Ctrl+C, SIGTERM for kill) after
    checkpointing; the command exits with 128 + signum, as the shell reports a signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = int(signum)


def refuse_existing_run(out) -> None:
    """A new run (no --resume) must not overwrite one in ``out``: a stopped run's checkpoint,
    nor a finished run's model (the Model menu lists it by its folder). A run that ended before
    its first checkpoint left only its options and log, which the new run rewrites."""
    ckpt_path = Path(out) / CKPT_NAME
    if ckpt_path.exists():
        raise CheckpointError(f"{ckpt_path} exists; pass --resume to continue it or choose a new --out")
    if (Path(out) / MODEL_NAME).exists():
        raise CheckpointError(f"{out} holds a finished run ({MODEL_NAME}); choose a new --out "
                              f"(or delete that folder to train there again)")


def load_sources(args) -> tuple[list, list, list]:
    sources = [Source.parse(s) for s in args.data]
    train_sets, weights, val_imgs = [], [], []
    for s in sources:
        imgs = decode_folder(s.path, max_side=args.max_side, limit=args.limit or None,
                             progress=not args.no_progress)
        if not args.val:
            # fixed split (every HELD_OUT_SHARE-th photo) when no validation folder is given
            val_imgs += imgs[::HELD_OUT_SHARE]
            imgs = [im for i, im in enumerate(imgs) if i % HELD_OUT_SHARE] or imgs
        train_sets.append(imgs)
        weights.append(s.weight)
    for v in args.val:
        val_imgs += decode_folder(v, max_side=args.max_side, limit=args.limit or None,
                                  progress=not args.no_progress)
    return train_sets, weights, val_imgs


def _ignore_stop_signals(_worker_id):
    """Ctrl-C reaches the whole process group: the main process handles it and stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def history_entry(run: Run, step: int, best_val: float, wall: float) -> dict:
    args = run.args
    return {"stage": args.stage, "steps": step, "batch": args.batch * run.world,
            "size": args.size, "loss": run.stage.loss_label(), "lr": run.base_lr,
            "data": args.data, "val": args.val, "wall_seconds": round(wall, 1),
            "vgg_init": args.vgg, "init": args.init, "hue_turn": args.hue_turn,
            "warm_start": run.init_meta.get("warm_start"),
            **run.stage.history_fields(),
            "best_val_loss": None if math.isinf(best_val) else best_val,
            "device": str(run.device), "precision": run.precision}


def train(args, on_finish=None) -> Path:
    """Train, export, return the weights path. ``on_finish(run)`` is called on every rank at the
    end, before the process group is torn down (tests compare the ranks' parameters there)."""
    run = Run(args)
    out = run.out
    ckpt_path = out / CKPT_NAME
    resume_state = None
    if args.resume:
        resume_state = load_checkpoint(ckpt_path)
        if resume_state.get("stage") != args.stage:
            raise CheckpointError(f"{ckpt_path} is a {resume_state.get('stage')!r} run, "
                                  f"not {args.stage!r}; use a different --out")
        require_same_on_resume(resume_state, "hue_turn", float(args.hue_turn), 0.0,
                               lambda share: f"with --hue-turn {share:g}")
    else:
        refuse_existing_run(out)
    train_sets, weights, val_imgs = load_sources(args)
    run.build_model(resume_state)
    hint_cfg = HintSamplingConfig(p_hue_turn=args.hue_turn)
    step, best_val, wall_before = 0, math.inf, 0.0
    if resume_state is not None:
        try:
            run.opt.load_state_dict(resume_state["optimizer"])
        except (ValueError, KeyError) as e:
            raise CheckpointError(f"{ckpt_path} does not match this run's model ({e})") from None
        step = int(resume_state["step"])
        best_val = float(resume_state.get("best_val", math.inf))
        wall_before = float(resume_state.get("wall_seconds", 0.0))
        if run.is_main:
            log.info("resuming %s at step %d", ckpt_path, step)
            if step >= args.steps:
                log.warning("the run already reached its %d steps: nothing to train; its "
                            "weights are exported as they are", args.steps)
    run.stage.prepare(run, train_sets, weights)
    prop = run.model.cfg.propagation                   # None: a system without hints
    stream = PhotoStream(train_sets, weights, args.size, hint_cfg,
                         seed=args.seed * 100003 + step, rank=run.rank, propagation=prop)
    loader = torch.utils.data.DataLoader(stream, batch_size=args.batch, num_workers=args.workers,
                                         persistent_workers=args.workers > 0,
                                         worker_init_fn=_ignore_stop_signals)
    val = (validation_batch(val_imgs, args.size, hint_cfg, count=args.val_count, propagation=prop)
           if val_imgs else None)
    if run.is_main:
        out.mkdir(parents=True, exist_ok=True)
        # (with the folder it ran in: a resume from elsewhere finds relative paths)
        write_text_atomic(out / ARGS_NAME, json.dumps({**vars(args), "cwd": os.getcwd()},
                                                      indent=2))
    csv_path = out / "log.csv"
    if run.is_main:
        start_log(csv_path, step if resume_state is not None else 0)

    def export(path: Path, at_step: int, best: float) -> None:
        """Weights + sidecar with the whole training history up to ``at_step``."""
        history = list(run.init_meta.get("training_history", []))
        history.append(history_entry(run, at_step, best, wall_before + time.time() - t_start))
        meta = {"training_history": history,
                "cnn1_trained": bool(run.init_meta.get("cnn1_trained")) or run.stage.trains_cnn1}
        save_model(run.model, path, meta, keep_float=run.stage.stored_float(run.model, run.init_meta))

    def checkpoint():
        if run.is_main:
            save_checkpoint(ckpt_path, run.checkpoint_state(step, best_val,
                                                            wall_before + time.time() - t_start))

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"], stop["signum"] = True, signum

    def stopping() -> bool:
        """Whether to stop before the next step; under torchrun every rank stops at the same
        step when any was told to (a SIGTERM may reach one process alone: the others then
        waited for it in their next gradient exchange, for ever)."""
        if run.world > 1:     # the exchanged flag decides: a signal arriving after this rank
            flag = torch.tensor([1.0 if stop["now"] else 0.0], device=run.device)  # sent its
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)       # flag counts at the next step
            if flag.item() > 0 and not stop["now"]:
                stop["now"], stop["signum"] = True, signal.SIGTERM
            return flag.item() > 0
        return stop["now"]

    old_term = signal.signal(signal.SIGTERM, on_signal)
    t_start = time.time()
    run.set_train_mode()
    bar = None
    if run.is_main and not args.no_progress:
        from tqdm import tqdm
        # (disable=None: no bar when stderr is no terminal; the lines below tell the progress)
        bar = tqdm(total=args.steps, initial=step, unit="step", dynamic_ncols=True, disable=None)
    quiet = bar is None or bar.disable       # no bar: a progress line at each validation
    step_at_start = step
    window_loss, window_n, window_t = 0.0, 0, time.time()
    resumed = step > 0                  # until the first row after a resume
    last_val = None
    in_step = False           # an interruption inside a step leaves no consistent state to save
    title = curve_title(args.stage, getattr(args, "train", None),
                        [Source.parse(d).path for d in args.data], run.stage.loss_label())
    budget = args.time_limit * 60 if args.time_limit > 0 else math.inf

    def in_budget():
        if budget == math.inf:
            return True
        used = (wall_before + time.time() - t_start) / budget
        if run.world > 1:       # every rank follows the same schedule and stops at the same step
            frac = torch.tensor([used], dtype=torch.float64, device=run.device)
            dist.all_reduce(frac, op=dist.ReduceOp.MAX)
            used = float(frac.item())
        run.time_fraction = used      # the schedule ends with the budget if that comes first
        return used < 1.0

    if step == 0 and val is not None and run.is_main:
        # The model the run starts from, as step 0: the baseline its curve is read against.
        last_val = run.validate(val)
        append_log_row(csv_path, 0, run.lr_at(0), wall_before + time.time() - t_start,
                       val_loss=last_val)
        window_t = time.time()          # the first row's images/s counts training alone
    t_training = time.time()            # (the time left counts training steps alone)
    if run.is_main and step < args.steps:
        log.info("training: step %d of %d, %d crops of %d px per step", step + 1, args.steps,
                 args.batch * run.world, args.size)
    try:
        it = iter(loader)
        while step < args.steps and not stopping() and in_budget():
            l, ab, h7 = (run.to_dev(x) for x in next(it))
            in_step = True
            loss = run.train_step(l, ab, h7, step)
            step += 1
            in_step = False
            window_loss += loss; window_n += 1
            ips = window_n * args.batch * run.world / max(1e-9, time.time() - window_t)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{window_loss / window_n:.4f}", img_s=f"{ips:.1f}",
                                val=f"{last_val:.4f}" if last_val is not None else "-")
            do_val = val is not None and (step % args.val_every == 0 or step == args.steps)
            last = step == args.steps
            # The first row after a resume averages MIN_ROW_STEPS steps at least (the run's
            # last row excepted): the few steps between a resume and the next row made a spike.
            full = last or not resumed or window_n >= MIN_ROW_STEPS
            if run.is_main and ((step % 20 == 0 and full) or do_val or last):
                if do_val:
                    last_val = run.validate(val)
                    if last_val < best_val:
                        best_val = last_val
                        export(out / BEST_NAME, step, best_val)
                train_loss = window_loss / window_n if full else None
                if do_val and quiet:       # (before the log row: the window reads that first)
                    per_step = (time.time() - t_training) / max(1, step - step_at_start)
                    left = min((args.steps - step) * per_step,
                               budget - (wall_before + time.time() - t_start))
                    log.info(progress_line(step, args.steps, train_loss, last_val, ips, left))
                append_log_row(csv_path, step, run.lr_at(step), wall_before + time.time() - t_start,
                               train_loss=train_loss, val_loss=last_val if do_val else None,
                               images_per_s=ips)
                if full:
                    window_loss, window_n, window_t, resumed = 0.0, 0, time.time(), False
                if do_val:
                    plot_curves(csv_path, out / "loss.png", *title)
            if run.is_main and step in args.save_at:
                export(out / f"step-{step}.safetensors", step, best_val)
            if step % args.ckpt_every == 0:
                checkpoint()
    except KeyboardInterrupt:
        stop["now"] = True
    except RuntimeError as e:
        if not stop["now"] and "DataLoader worker" not in str(e):
            raise
        stop["now"] = True    # a loader worker was killed (e.g. pkill): stop like on SIGTERM
    finally:
        if bar is not None:
            bar.close()
    try:        # a second SIGTERM (torchrun's, once another rank has exited) waits for these
        if not in_step:
            checkpoint()
            if run.is_main and window_n:       # the log ends where the checkpoint is (the app
                append_log_row(csv_path, step, run.lr_at(step),    # says where a run stopped)
                               wall_before + time.time() - t_start,
                               train_loss=window_loss / window_n
                               if window_n >= MIN_ROW_STEPS else None)
    finally:
        signal.signal(signal.SIGTERM, old_term)
    if stop["now"] and step < args.steps:
        log.info("stopped at step %d; %s", step, how_to_resume(args.stage, args.out))
        raise Stopped(stop.get("signum", signal.SIGINT))
    if step < args.steps and run.is_main:
        log.info("time limit of %g minutes reached at step %d", args.time_limit, step)
        missed = [s for s in args.save_at if s > step]
        if missed:
            log.warning("--save-at %s not reached: the run ended at step %d",
                        " ".join(map(str, missed)), step)
    result = out / "model.safetensors" if not args.export else Path(args.export)
    if run.is_main:
        plot_curves(csv_path, out / "loss.png", *title)
        export(result, step, best_val)
        log.info("wrote %s", result)
        if args.stage == "hnet" and args.init and args.held_out > 0:
            # (a folder of one photo validates on the photo it trains on: not held out)
            trained = {id(im) for imgs in train_sets for im in imgs}
            held = [im for im in val_imgs if id(im) not in trained]
            try:
                score_run(out, result, args.init, held, args.held_out, str(run.device))
            except Exception as e:     # the model is written: a failed measurement is not fatal
                log.warning("could not score the held-out photos: %s", e)
    if on_finish is not None:
        on_finish(run)
    if run.world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return result
