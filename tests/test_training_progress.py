"""How a training run tells its progress where there is no terminal: in a log file, a pipe, the
app's retraining window (a retraining walkthrough, session 28: progress bars full of carriage
returns in a log file, and with --no-progress nothing between a run's start and its end)."""
from training.logs import progress_line, time_left_text

from .test_retrain_resume import retrain_dialog
from .test_gui import WAIT  # noqa: F401
from .test_training import run_cli


def test_a_run_in_a_pipe_logs_progress_lines_not_a_progress_bar(photo_dir, vgg_file, tmp_path):
    out = tmp_path / "run"
    r = run_cli(["rtnet", "--data", str(photo_dir), "--out", str(out), "--vgg", str(vgg_file),
                 "--steps", "4", "--batch", "2", "--size", "32", "--workers", "0",
                 "--val-every", "2", "--val-count", "2", "--held-out", "0"])
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr and "it/s" not in r.stderr and "img/s" not in r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("step ")]
    assert [x.split(":")[0] for x in lines] == ["step 2 of 4 (50 %)", "step 4 of 4 (100 %)"]
    assert "training loss" in lines[0] and "validation loss" in lines[0] and "crops/s" in lines[0]
    assert lines[0].endswith(" s left") and "left" not in lines[1]


def test_the_time_left_is_written_as_the_app_writes_durations():
    assert time_left_text(None) == time_left_text(0) == time_left_text(float("inf")) == ""
    assert time_left_text(20) == "about 20 s left"
    assert time_left_text(35 * 60 + 10) == "about 35 min 10 s left"
    assert time_left_text(125 * 60) == "about 2 h 05 min left"
    assert progress_line(500, 5000, 0.01234, None, 12.34, 3600) == \
        "step 500 of 5000 (10 %): training loss 0.0123, 12.3 crops/s, about 1 h 00 min left"


# A trainer at its last step: it logs the last row and its progress line, then writes its model
# (slowly), as colorizer-train does; then it fails.
AT_THE_END = """
import pathlib, sys, time
out = pathlib.Path(sys.argv[sys.argv.index("--out") + 1])
out.mkdir(parents=True, exist_ok=True)
(out / "log.csv").write_text("step,train_loss\\n40,0.0123\\n")
print("training: step 1 of 40, 16 crops of 128 px per step", flush=True)
print("step 40 of 40 (100 %): training loss 0.0123, 5.0 crops/s", flush=True)
time.sleep(3)
print("colorizer-train: error: disk full", flush=True)
print("step 40 of 40 (100 %): training loss 0.0123, 5.0 crops/s", flush=True)
sys.exit(2)
"""


def test_the_window_says_what_the_trainer_does_not_its_progress_lines(qtbot, tmp_path,
                                                                       local_weights, monkeypatch):
    from colorizer_gui import app_settings
    from .test_gui_defects import photo_folder
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.folder.setText(str(photo_folder(tmp_path)))
    dlg.on_folder_changed()
    dlg.steps.setValue(40)
    monkeypatch.setattr(dlg, "command", lambda out: ["-c", AT_THE_END, "--out", str(out)])
    dlg.start()
    qtbot.waitUntil(lambda: "40 of 40" in dlg.status.text(), timeout=WAIT)
    assert dlg.status.text().startswith("Step 40 of 40, loss 0.0123")   # not the trainer's line
    assert "(100 %)" in dlg.log.toPlainText()                            # which the log keeps
    qtbot.waitUntil(lambda: not dlg.running(), timeout=WAIT)
    assert dlg.status.text() == "Training stopped: colorizer-train: error: disk full"
