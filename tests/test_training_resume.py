"""What a run folder keeps (a retraining walkthrough, session 28): --resume continues the run
with its own options, a finished run is not overwritten, a stopped run says how it stopped,
and the weights a run writes are readable like its other files."""
import json
import os
import stat

import pytest

from training.checkpoint import CheckpointError
from training.resume_options import given_options, keep_run_options
from training.train import build_parser, main

from .conftest import train_tiny
from .test_training import one_line_error, run_cli


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
        (["photos:3", "more"], 60, 5e-5, "hnet,decoder", True, 176)
    assert _resume_args(out, "--threads", "2", "--steps", "60").threads == 2   # free to change
    assert _resume_args(out, "--steps", "90").steps == 90                       # a longer run
    for given, said in ((["--lr", "1e-4"], "with --lr 5e-05"),
                        (["--train", "hnet"], "with --train hnet,decoder"),
                        (["--data", "photos"], "with --data photos:3 more"),
                        (["--size", "128"], "with --size 176")):
        with pytest.raises(CheckpointError, match=f"was started {said}; resume it the same way"):
            _resume_args(out, *given)
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
