"""What a run folder keeps (a retraining walkthrough, session 28): --resume continues the run
with its own options, a finished run is not overwritten, a stopped run says how it stopped,
and the weights a run writes are readable like its other files."""
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from training.checkpoint import CheckpointError
from training.resume_options import given_options, keep_run_options
from training.train import build_parser, main

from .conftest import train_tiny
from .test_training import REPO, one_line_error, rows, run_cli


def _resume_args(out, *extra):
    argv = ["hnet", "--out", str(out), "--resume", *extra]
    args = build_parser().parse_args(argv)
    keep_run_options(args, given_options(build_parser, argv))
    return args


def test_a_resume_keeps_the_options_the_run_was_started_with(tmp_path):
    """Left out, --steps, --data, --lr, --train and --correction-loss are the run's own (they
    were the defaults: the run went on to 5000 steps with its schedule restarted); given with
    another value, the run's definition is refused and its length may change."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "args.json").write_text(json.dumps({
        "stage": "hnet", "data": ["photos:3", "more"], "steps": 60, "lr": 5e-5,
        "train": "hnet,decoder", "correction_loss": True, "size": 176, "threads": 1}))
    args = _resume_args(out)
    assert (args.data, args.steps, args.lr, args.train, args.correction_loss, args.size) == \
        ([os.path.abspath("photos") + ":3", os.path.abspath("more")], 60, 5e-5, "hnet,decoder",
         True, 176)          # (a run that recorded no folder it ran in: relative to here)
    assert _resume_args(out, "--threads", "2", "--steps", "60").threads == 2   # free to change
    assert _resume_args(out, "--steps", "90").steps == 90                       # a longer run
    for given, said in ((["--lr", "1e-4"], "with --lr 5e-05"),
                        (["--train", "hnet"], "with --train hnet,decoder"),
                        (["--data", "photos"], "with --data .*photos:3 .*more"),
                        (["--size", "128"], "with --size 176")):
        with pytest.raises(CheckpointError, match=f"was started {said}; resume it the same way"):
            _resume_args(out, *given)
    # a run started elsewhere: its relative paths are the folders it ran on, not ours
    (out / "args.json").write_text(json.dumps({"stage": "hnet", "data": ["photos:3"],
                                               "init": "m.safetensors", "cwd": "/runs/there"}))
    args = _resume_args(out)
    assert args.data == [os.path.normpath("/runs/there/photos") + ":3"]
    assert args.init == os.path.normpath("/runs/there/m.safetensors")
    assert _resume_args(out, "--data", "/runs/there/./photos:3").data == args.data
    with pytest.raises(CheckpointError, match="is a 'hnet' run, not 'local'"):
        args = build_parser().parse_args(["local", "--out", str(out), "--resume"])
        keep_run_options(args, given_options(build_parser, ["local", "--out", str(out), "--resume"]))


def test_a_finished_run_resumes_without_its_options_and_is_never_overwritten(
        local_weights, photo_dir, tmp_path, caplog):
    out = tmp_path / "run"
    w = train_tiny("hnet", out, photo_dir, None, steps=3, extra=["--init", str(local_weights)])
    # "resume with --resume", as the stop message says: no --data, no --steps needed
    assert main(["hnet", "--out", str(out), "--resume", "--workers", "0", "--no-progress"]) == 0
    assert "already reached its 3 steps" in caplog.text
    assert json.loads(w.with_suffix(".json").read_text())["training_history"][-1]["steps"] == 3
    # a new run into a finished run's folder (the app deletes the checkpoint of a finished run)
    (out / "checkpoint.pt").unlink()
    before = w.read_bytes()
    r = run_cli(["hnet", "--data", str(photo_dir), "--init", str(local_weights), "--out", str(out),
                 "--steps", "2", "--workers", "0", "--no-progress"])
    assert "holds a finished run" in one_line_error(r) and w.read_bytes() == before
    # a run that ended before its first checkpoint (options and log only) may start over
    from training.loop import refuse_existing_run
    (tmp_path / "early").mkdir()
    for name in ("args.json", "log.csv"):
        (tmp_path / "early" / name).write_text("")
    refuse_existing_run(tmp_path / "early")
    # nothing to resume from: the command line says what is missing
    r = run_cli(["hnet", "--out", str(tmp_path / "none"), "--resume"])
    assert r.returncode == 2 and "--data is required" in r.stderr


def test_steps_must_be_at_least_one(photo_dir, tmp_path, local_weights):
    r = run_cli(["hnet", "--data", str(photo_dir), "--init", str(local_weights), "--out",
                 str(tmp_path / "z"), "--steps", "0"])
    assert r.returncode == 2 and "at least 1" in r.stderr and not (tmp_path / "z").exists()


def test_weights_are_written_readable_like_the_runs_other_files(local_weights, tmp_path):
    """safetensors writes its file anew with mode 0600: a model copied to a shared folder could
    not be read by anyone else."""
    from net.weights import load_model, save_model
    model, meta = load_model(local_weights)
    umask = os.umask(0)
    os.umask(umask)
    save_model(model, tmp_path / "m.safetensors", meta)
    for name in ("m.safetensors", "m.json"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o666 & ~umask, name


def test_an_init_file_that_is_no_model_is_refused_before_the_photos_are_read(tmp_path):
    fake = tmp_path / "fake.safetensors"
    fake.write_text("not weights")
    r = run_cli(["hnet", "--data", str(tmp_path / "photos-not-read"), "--init", str(fake),
                 "--out", str(tmp_path / "o")])
    assert "--init fake.safetensors: not a model of this app" in one_line_error(r)


def test_kill_stops_at_a_step_with_its_checkpoint_and_log_and_says_so(local_weights, photo_dir,
                                                                      tmp_path):
    """SIGTERM (the app's Stop, a kill): the checkpoint and the log end at the same step (the
    app says where a run stopped from the log), and the exit code is 143, not Ctrl+C's 130."""
    import torch
    out = tmp_path / "run"
    p = subprocess.Popen([sys.executable, "-m", "training.train", "hnet", "--data", str(photo_dir),
                          "--init", str(local_weights), "--out", str(out), "--steps", "500",
                          "--batch", "4", "--size", "32", "--workers", "0", "--ckpt-every", "50",
                          "--val-every", "1000", "--no-progress"],
                         cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and not (out / "log.csv").exists() or len(rows(out)) < 2:
        time.sleep(0.2)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 143, err
    saved = torch.load(out / "checkpoint.pt", weights_only=True)["step"]
    assert 20 <= saved < 500 and int(rows(out)[-1]["step"]) == saved
    assert f"--out {out} --resume" in err
    assert err.count("--resume") == 1 and "interrupted" not in err, err   # said once (the
    # app's log showed "stopped at step 27; …" and "training interrupted; …" one after another)


def test_the_stop_message_says_how_to_resume_in_its_readers_words(monkeypatch):
    """The app's retraining window showed "resume with --resume" in its log: run by the window
    (which sets RETRAIN_WINDOW_ENV) the trainer names the window's Resume instead."""
    from net.retraining import RETRAIN_WINDOW_ENV
    from training.resume_options import how_to_resume
    monkeypatch.delenv(RETRAIN_WINDOW_ENV, raising=False)
    assert how_to_resume("hnet", "runs/x") == \
        "continue it with colorizer-train hnet --out runs/x --resume"
    monkeypatch.setenv(RETRAIN_WINDOW_ENV, "1")
    assert how_to_resume("hnet", "runs/x") == "Resume in the retraining window continues it"


def test_after_a_resume_no_log_row_averages_a_few_steps(local_weights, photo_dir, tmp_path):
    """A retraining walkthrough: the loss curve spiked just after a Resume, at a row that
    averaged the 3 steps between the resume (step 257) and the next row (260)."""
    out = tmp_path / "run"
    common = ["--workers", "0", "--no-progress", "--val-every", "1000", "--ckpt-every", "50"]
    assert main(["hnet", "--data", str(photo_dir), "--init", str(local_weights), "--out", str(out),
                 "--steps", "57", "--batch", "4", "--size", "32", *common]) == 0
    assert main(["hnet", "--out", str(out), "--resume", "--steps", "80", *common]) == 0
    trained = [int(r["step"]) for r in rows(out) if r["train_loss"]]
    assert 57 in trained and 60 not in trained and trained[-1] == 80, trained
    assert all(b - a >= 10 for a, b in zip(trained, trained[1:])), trained
