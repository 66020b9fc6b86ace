"""The retraining window after a run stopped (a retraining walkthrough, session 28): Stop, or
quitting the app during a run, leaves a run that Resume continues, after a restart too; the
app asks before a quit stops a run; the decoder note says what the box does; the status line
says how long is left."""

import json
import shutil

from PySide6.QtWidgets import QMessageBox

from colorizer_gui import app_settings, retrain_dialog
from colorizer_gui.retrain_texts import progress_text
from net.retraining import RETRAIN_WINDOW_ENV
from training.resume_options import given_options, keep_run_options
from training.train import build_parser

from .test_gui import WAIT, photo, win  # noqa: F401
from .test_gui_defects import FAKE_TRAINER, photo_folder

# A trainer that starts a 200-step run (its options, a checkpoint, a log at step 40) and trains
# until it is stopped, as colorizer-train does on SIGTERM (exit code 143).
STOPPABLE = """
import json, pathlib, signal, sys, time
arg = lambda name: sys.argv[sys.argv.index(name) + 1]
out = pathlib.Path(arg("--out"))
out.mkdir(parents=True, exist_ok=True)
(out / "args.json").write_text(json.dumps({"stage": "hnet", "data": [arg("--data")], "steps": 200,
                                           "init": arg("--init"), "train": arg("--train")}))
(out / "checkpoint.pt").write_bytes(b"state")
(out / "log.csv").write_text("step,train_loss\\n40,0.0123\\n")
print("training: step 41 of 200", flush=True)
print("step 52 of 200 (26 %): training loss 0.0120", flush=True)     # printed, not yet logged
signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
time.sleep(60)
"""


def _stoppable(dlg):
    real = dlg.command
    return lambda out: ["-c", STOPPABLE] + real(out)[3:]      # the app's own options


def stopped_run_on_a_folder(tmp_path, monkeypatch, init, name: str, steps: int, log: str):
    """A folder of photos and, in the app's runs folder, a run ``name`` on it of ``steps`` steps
    from ``init`` that stopped where its ``log`` (CSV text) ends: (folder, run)."""
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    folder = photo_folder(tmp_path)
    run = tmp_path / "runs" / name
    run.mkdir(parents=True)
    (run / "args.json").write_text(json.dumps({"stage": "hnet", "data": [str(folder)],
                                               "steps": steps, "init": str(init)}))
    (run / "checkpoint.pt").write_bytes(b"state")
    (run / "log.csv").write_text(log)
    return folder, run


def start_stoppable_run(qtbot, win, tmp_path, monkeypatch):
    """Tools > Retrain on a folder of photos, a run that trains until stopped, at step 40."""
    win.retrain()
    dlg = win._retrain
    dlg.folder.setText(str(photo_folder(tmp_path)))
    dlg.on_folder_changed()
    monkeypatch.setattr(dlg, "command", _stoppable(dlg))
    dlg.start()
    qtbot.waitUntil(lambda: "Step 40" in dlg.status.text(), timeout=WAIT)
    return dlg


def test_a_stopped_run_resumes_where_it_stopped_also_after_a_restart(qtbot, tmp_path, local_weights,
                                                                     seed_weights, monkeypatch):
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    folder = photo_folder(tmp_path)
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.folder.setText(str(folder))
    dlg.on_folder_changed()
    assert not dlg.resume_btn.isVisibleTo(dlg)                # nothing to resume yet
    dlg.steps.setValue(200)
    monkeypatch.setattr(dlg, "command", _stoppable(dlg))
    dlg.start()
    qtbot.waitUntil(lambda: "Step 40 of 200" in dlg.status.text(), timeout=WAIT)
    # The trainer is told it runs in the window: its messages name Resume, not --resume
    assert dlg.proc.processEnvironment().value(RETRAIN_WINDOW_ENV) == "1"
    # Quitting asks with the step the trainer last printed (it named the older logged one)
    qtbot.waitUntil(lambda: "at step 52 of 200" in dlg.quit_question(), timeout=WAIT)
    dlg.stop()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=WAIT)
    # What a user can do next, in the window's words (it said "use --resume", a CLI option)
    assert dlg.status.text().startswith("Stopped at step 40 of 200. Resume continues it")
    assert "--resume" not in dlg.status.text()
    assert dlg.resume_btn.isVisibleTo(dlg) and dlg.start_btn.isEnabled()
    run = dlg.out
    from PIL import Image
    Image.new("RGB", (60, 40), (255, 255, 255)).save(run / "loss.png")   # its curve so far

    # After a restart, with another model in use: a new window opens on the run's folder and
    # steps (it opened empty, and Resume showed only once the folder was typed again)...
    again = retrain_dialog.RetrainDialog(str(seed_weights))
    qtbot.addWidget(again)
    assert again.folder_text() == str(folder) and again.steps.value() == 200
    assert again.resume_btn.isVisibleTo(again)
    assert f"A run on this folder ({run.name}) stopped at step 40 of 200" in again.status.text()
    # ...with its progress and its curve so far (the bar said "Not started", no curve showed)
    assert again.progress.value() == 20 and "stopped" in again.progress.format()
    assert again.curve.isVisibleTo(again)
    # ...and offers the run however the folder is written
    again.folder.setText(str(folder) + "/")
    again.on_folder_changed()
    assert again.resume_btn.isVisibleTo(again)
    # the command it resumes with is one colorizer-train accepts, with the run's own options
    argv = again.resume_command(again.stopped)[2:]
    args = build_parser().parse_args(argv)
    keep_run_options(args, given_options(build_parser, argv))
    assert (args.out, args.resume, args.steps, args.data, args.init) == \
        (str(run), True, 200, [str(folder)], str(local_weights))
    sidecar = local_weights.with_suffix(".json")
    monkeypatch.setattr(again, "resume_command", lambda r: ["-c", FAKE_TRAINER, str(local_weights),
                                                            str(sidecar), "--out", str(r.path)])
    again.steps.setValue(1000)
    with qtbot.assertNotEmitted(again.modelReady, wait=500):
        again.resume()
        qtbot.waitUntil(lambda: not again.running() and "Done in" in again.status.text(),
                        timeout=WAIT)
    # measured against the model it started from, not the one in use: that one stays
    assert "stays loaded: the run started from" in again.status.text(), again.status.text()
    # finished: its checkpoint is gone and nothing is left to resume
    assert not (run / "checkpoint.pt").exists() and not again.resume_btn.isVisibleTo(again)
    # the form is still the app's: a Start trains the model in use, for the steps asked
    cmd = again.command(tmp_path / "next")
    assert cmd[cmd.index("--init") + 1] == str(seed_weights) and again.steps.value() == 1000


FAILING = """
import pathlib, sys
out = pathlib.Path(sys.argv[sys.argv.index("--out") + 1])
print("colorizer-train: error: data folder photos has no usable colour photos", flush=True)
sys.exit(2)
"""


def test_a_resume_that_fails_says_why_not_stopped(qtbot, tmp_path, local_weights, monkeypatch):
    """A trainer that ends in an error (not Stop) is reported with its error, though the run's
    checkpoint is still there: "Stopped at step ... Resume continues it" invited a loop."""
    folder, run = stopped_run_on_a_folder(tmp_path, monkeypatch, local_weights, "photos-1", 200,
                                          "step,train_loss\n40,0.0123\n")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.folder.setText(str(folder))
    dlg.on_folder_changed()
    assert dlg.resume_btn.isVisibleTo(dlg)
    monkeypatch.setattr(dlg, "resume_command", lambda r: ["-c", FAILING, "--out", str(r.path)])
    dlg.resume()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=WAIT)
    assert dlg.status.text() == ("Training stopped: colorizer-train: error: data folder photos "
                                 "has no usable colour photos")


def test_quitting_during_a_run_asks_and_a_no_keeps_it_going(qtbot, win, tmp_path, monkeypatch):
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = start_stoppable_run(qtbot, win, tmp_path, monkeypatch)
    dlg.close()             # the main window still says a run is going (it said nothing)
    bar = win.statusBar().training
    assert bar.isVisibleTo(win) and bar.text() == "Retraining: 4 %"       # step 40 of 1000
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    win.close()                                   # it quit at once and killed the run
    assert len(asked) == 1 and "is at step 52 of" in asked[0] and "resumes it" in asked[0]
    assert win.isVisible() and dlg.running()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    win.close()
    assert not win.isVisible() and not dlg.running()
    assert (dlg.out / "checkpoint.pt").exists()   # left to resume


def test_the_decoder_note_says_what_the_box_does_now(qtbot, tmp_path, local_weights, monkeypatch):
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.folder.setText(str(photo_folder(tmp_path)))
    dlg.on_folder_changed()
    assert not dlg.decoder.isChecked() and "Tick the box" in dlg.folder_note.text()
    dlg.decoder.click()                            # it still said "Tick the box to adapt ..."
    assert dlg.decoder.isChecked() and "Untick the box" in dlg.folder_note.text()
    assert "--train hnet,decoder" in " ".join(dlg.command(tmp_path / "o"))
    # what the window says is in a user's words: it spoke of a "decoder" and a "palette network"
    said = " ".join((dlg.decoder.text(), dlg.decoder.toolTip(), dlg.folder_note.text())).lower()
    assert "colouring network" in said and "hint network" in said
    assert "decoder" not in said and "palette network" not in said


def test_the_status_line_says_how_long_is_left():
    assert progress_text(250, 1000, "0.0123", 95, 285.4) == \
        "Step 250 of 1000, loss 0.0123 · 1 min 35 s, about 4 min 45 s left"
    assert progress_text(1000, 1000, "0.01", 4000, 0) == "Step 1000 of 1000, loss 0.01 · 1 h 06 min"


def test_a_resumed_runs_status_counts_its_earlier_sittings(qtbot, tmp_path, local_weights,
                                                           monkeypatch):
    """A walkthrough: after Resume the status line said "Step 30 of 60 … · 4 s", the time of
    this sitting alone, where "Done in" counts them all."""
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    run = tmp_path / "runs" / "garden-20261204-134432"
    run.mkdir(parents=True)
    header = "step,train_loss,val_loss,images_per_s,lr,wall_seconds\n"
    (run / "log.csv").write_text(header + "30,0.0120,,20,1e-4,300.0\n")    # 5 min before
    later = ("import pathlib, sys, time; p = pathlib.Path(sys.argv[1]) / 'log.csv'; "
             "p.write_text(p.read_text() + '40,0.0110,,20,1e-4,310.0\\n'); time.sleep(60)")
    dlg._launch(run, lambda out: ["-c", later, str(out)], str(local_weights), 60)
    qtbot.waitUntil(lambda: "Step 40 of 60" in dlg.status.text(), timeout=WAIT)
    assert " · 5 min 0" in dlg.status.text(), dlg.status.text()
    dlg.stop()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=WAIT)


def test_after_a_restart_a_stopped_runs_curve_shows_at_its_size(qtbot, tmp_path, local_weights,
                                                                monkeypatch):
    """A walkthrough: the window opened after a restart on a stopped run drew its loss curve
    at about 300 x 190 pixels in a 552-pixel window on a 900-pixel screen, its text unreadable
    (the curve had been set while the window was hidden, and the window never grew for it)."""
    from .test_retrain_window import loss_png
    folder, run = stopped_run_on_a_folder(tmp_path, monkeypatch, local_weights,
                                          "photos-20261204-134432", 60,
                                          "step,train_loss,val_loss\n0,,0.02\n30,0.01,0.019\n")
    shutil.copy(loss_png(tmp_path), run / "loss.png")
    app_settings.remember_retrain_form(str(folder), 60)
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    assert dlg.stopped is not None and dlg.curve.isVisibleTo(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: dlg.curve.height() >= 250, timeout=WAIT)

