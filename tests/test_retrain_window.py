"""Session 21: what a new user's walk through Tools > Retrain found: the window outgrew the
screen with the loss curve, a +0.04 dB difference on one photo was called "better", the curve
counted steps in halves, and a finished run's progress, curve and Start stayed when another
(missing) folder was typed; and a window reused after Model > another model still offered
the first one."""
import json
from pathlib import Path

import numpy as np
from PIL import Image
import pytest
from PySide6.QtCore import QRect

from net.assets import model_name
from net.retraining import HeldOutScores

from .test_gui_defects import FAKE_TRAINER, type_folder
from .test_gui import WAIT, photo, win  # noqa: F401 (fixtures)

# The walkthrough's run: 12 photos, one held out, +0.05 / +0.04 / +0.02 dB.
ONE_PHOTO = HeldOutScores(1, (0, 5, 20), (21.38, 22.74, 24.50), (21.43, 22.78, 24.52))


class LaptopScreen:
    """A 1366 x 768 screen less a 40-pixel taskbar (what the window may use)."""
    HEIGHT = 728

    def availableGeometry(self):
        return QRect(0, 0, 1366, self.HEIGHT)


def loss_png(tmp_path):
    """A loss curve as the trainer draws it (600 x 400 pixels)."""
    from training.logs import plot_curves
    log = tmp_path / "log.csv"
    log.write_text("step,train_loss,val_loss\n0,,0.02\n10,0.009,0.019\n20,0.01,0.0185\n")
    plot_curves(log, tmp_path / "loss.png", "Training the palette network on train12")
    return tmp_path / "loss.png"


def finished_run(qtbot, tmp_path, local_weights, monkeypatch, screen=None, heights=None,
                 scores=ONE_PHOTO, loads=True):
    """The retraining window after a (fake) run on 12 photos with one held out, its verdict
    and loss curve shown (``heights``: gets the window's height before the run; ``loads``:
    whether the window is expected to load the new model)."""
    from colorizer_gui import app_settings, retrain_dialog
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    if screen is not None:
        monkeypatch.setattr(dlg, "screen", lambda: screen)
    folder = tmp_path / "train12"
    folder.mkdir()
    for i in range(12):
        (folder / f"p{i}.jpg").write_bytes(b"")
    fake = FAKE_TRAINER + ("(out / 'held_out.json').write_text(sys.argv[5]); "
                           "shutil.copy(sys.argv[6], out / 'loss.png')\n")
    monkeypatch.setattr(dlg, "command", lambda out: [
        "-c", fake, str(local_weights), str(local_weights.with_suffix(".json")), "--out",
        str(out), json.dumps(scores.to_dict()), str(loss_png(tmp_path))])
    dlg.show()
    qtbot.waitExposed(dlg)
    type_folder(qtbot, dlg, str(folder))
    if heights is not None:
        heights.append(dlg.height())
    if loads:
        with qtbot.waitSignal(dlg.modelReady, timeout=WAIT):
            dlg.start()
    else:
        with qtbot.assertNotEmitted(dlg.modelReady, wait=100):
            dlg.start()
            qtbot.waitUntil(lambda: not dlg.running(), timeout=WAIT)
    qtbot.wait(100)                                       # (the layout follows the texts)
    assert dlg.status.text().startswith("Done in") and dlg.curve.isVisible()
    return dlg


# 2 ------------------------------------------------------------------------------------------
def test_the_window_with_its_loss_curve_fits_the_screen_with_its_buttons(qtbot, tmp_path,
                                                                        local_weights,
                                                                        monkeypatch):
    """With the curve the window grew to the screen's full height: with a title bar and a
    taskbar its Start / Stop / Close row was off the screen."""
    dlg = finished_run(qtbot, tmp_path, local_weights, monkeypatch, LaptopScreen())
    assert dlg.frameGeometry().height() <= 0.9 * LaptopScreen.HEIGHT
    assert dlg.buttons.isVisible() and dlg.buttons.geometry().bottom() < dlg.height()
    status = dlg.status                                   # the whole verdict shows
    assert status.height() >= status.heightForWidth(status.width())
    assert dlg.curve.height() >= 100                      # and the curve, smaller


# 3 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("after, words", [
    (ONE_PHOTO.after, "about as well as"),                           # +0.04 dB on one photo
    ((21.35, 22.70, 24.48), "about as well as"),                     # -0.03
    ((21.70, 23.05, 24.80), "better than"),                          # +0.31
    ((21.00, 22.40, 24.20), "worse than"),                           # -0.34
    ((21.60, 22.74, 24.40), "no better than")])                      # 0.10 dB worse with 20
def test_a_difference_within_the_noise_is_called_none(qtbot, tmp_path, local_weights, after,
                                                      words):
    """"It colours your photos better than local … (+0.04 dB …)" on one held-out photo."""
    from colorizer_gui import retrain_dialog
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.out = tmp_path / "train12-20261202-124247"
    scores = HeldOutScores(1, ONE_PHOTO.hints, ONE_PHOTO.before, after)
    text = dlg.finished_text(scores, loaded=scores.helped)
    assert f"\n\nIt colours your photos {words} " in text, text     # a paragraph of its own
    others = {"about as well as", "better than", "no better than", "worse than"} - {words}
    assert not any(f"photos {w} " in text for w in others), text
    assert ("no measurable difference" in text) == (words == "about as well as")


def test_a_resumed_runs_time_is_all_its_sittings(qtbot, tmp_path, local_weights):
    """A walkthrough: a run of 78 + 45 + 346 s of training said "Done in 5 min 50 s", the last
    sitting alone; the log keeps the time of all of them."""
    import time
    from colorizer_gui import retrain_dialog
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.out = tmp_path / "forest-20261204-093459"
    dlg.out.mkdir()
    (dlg.out / "log.csv").write_text("step,train_loss,val_loss,images_per_s,lr,wall_seconds\n"
                                     "900,0.01,,20.0,1e-4,420.0\n1000,0.01,0.01,20.0,1e-5,470.4\n")
    dlg._t0 = time.monotonic() - 350
    assert dlg.finished_text(None, loaded=False).startswith("Done in 7 min 50 s.")
    (dlg.out / "log.csv").write_text("step,train_loss\n")        # no time recorded: this sitting
    assert dlg.finished_text(None, loaded=False).startswith("Done in 5 min 50 s.")


def test_before_start_the_window_says_how_long_at_the_last_runs_speed(
        qtbot, tmp_path, local_weights, monkeypatch):
    """A walkthrough found no time before Start: it is the newest run's seconds per step that
    adapted the same parts, and no row on a computer with no run yet."""
    from colorizer_gui import app_settings, retrain_dialog
    runs = tmp_path / "runs"
    monkeypatch.setattr(app_settings, "runs_dir", lambda: runs)
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.estimate.text() == "" and not dlg.estimate.isVisible()
    for name, parts, seconds in (("a", "hnet,decoder", 1200.0), ("b", "hnet", 300.0)):
        (runs / name).mkdir(parents=True)
        (runs / name / "args.json").write_text(json.dumps({"train": parts}))
        (runs / name / "log.csv").write_text("step,train_loss,val_loss,images_per_s,lr,"
                                             f"wall_seconds\n0,,0.02,,,0\n500,0.01,0.01,20,"
                                             f"1e-4,{seconds}\n")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))          # opened after those runs
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.steps.value() == 1000          # 2.4 s a step with the decoder, 0.6 without
    assert dlg.decoder.isChecked()
    assert dlg.estimate.text() == "About 40 min 00 s of training, at your last run's speed"
    assert dlg.estimate.isVisible()
    dlg.decoder.setChecked(False)
    assert dlg.estimate.text().startswith("About 10 min 00 s of training")
    dlg.steps.setValue(200)
    assert dlg.estimate.text().startswith("About 2 min 00 s of training")
    # During a run the status line says how long is left: no estimate beside it
    from .test_retrain_resume import _stoppable
    from .test_gui_defects import photo_folder
    type_folder(qtbot, dlg, str(photo_folder(tmp_path)))
    monkeypatch.setattr(dlg, "command", _stoppable(dlg))
    dlg.start()
    qtbot.waitUntil(lambda: "Step 40 of" in dlg.status.text(), timeout=WAIT)
    assert not dlg.estimate.isVisible()
    dlg.stop()
    qtbot.waitUntil(lambda: not dlg.running(), timeout=WAIT)
    assert dlg.estimate.isVisible() and dlg.estimate.text().startswith("About ")


@pytest.mark.parametrize("after, loads", [
    ((21.41, 22.79, 24.55), True),                                   # +0.04: no difference
    ((21.35, 22.70, 24.48), False)])                                 # -0.03: no difference
def test_a_run_no_different_from_the_model_says_why_it_was_loaded_or_not(
        qtbot, tmp_path, local_weights, monkeypatch, after, loads):
    """Session 23's walk: +0.06 dB was "no measurable difference" and loaded, while session
    22's small loss was not, and the window did not say why either way. It loads a model that
    scored higher on average (README, "Did it help?"), and now says that is why."""
    scores = HeldOutScores(1, ONE_PHOTO.hints, ONE_PHOTO.before, after)
    dlg = finished_run(qtbot, tmp_path, local_weights, monkeypatch, scores=scores, loads=loads)
    text = dlg.status.text()
    assert "(no measurable difference)" in text, text
    assert ("Loaded into the app, as it scored higher on average, if only a little;"
            in text) == loads, text
    before = model_name(str(local_weights))
    assert (f"{before} stays loaded, as the new one scored no higher;" in text) == (not loads), \
        text


def test_the_verdict_follows_a_model_chosen_after_the_run(qtbot, tmp_path, local_weights,
                                                         monkeypatch):
    """A walkthrough: a run that was not loaded said "local stays loaded" after the user had
    loaded it by Manage > Use (the app tells the window of every model change)."""
    worse = HeldOutScores(1, ONE_PHOTO.hints, ONE_PHOTO.before, (21.00, 22.40, 24.20))
    dlg = finished_run(qtbot, tmp_path, local_weights, monkeypatch, scores=worse, loads=False)
    before = model_name(str(local_weights))
    assert f"{before} stays loaded;" in dlg.status.text()
    dlg.set_init_weights(str(dlg.out / "model.safetensors"))       # Manage > Use
    text = dlg.status.text()
    assert text.startswith("Done in") and "In use now, as you chose it" in text, text
    assert "stays loaded" not in text and "\n\nIt colours your photos worse than" in text
    dlg.set_init_weights(str(local_weights))                        # and back again
    text = dlg.status.text()
    assert f"{before} is in use now, as you chose it;" in text and "In use now" not in text
    dlg.set_init_weights(str(local_weights))                        # no change: the same words
    assert dlg.status.text() == text


def test_the_loss_curve_counts_steps_in_whole_numbers(tmp_path, monkeypatch):
    """A 20-step run's curve had ticks at 2.5, 7.5, … steps."""
    from matplotlib.figure import Figure
    ticks, save = [], Figure.savefig

    def spy(fig, *a, **k):
        ax = fig.axes[0]
        lo, hi = ax.get_xlim()
        ticks.extend(t for t in ax.get_xticks() if lo <= t <= hi)
        return save(fig, *a, **k)

    monkeypatch.setattr(Figure, "savefig", spy)
    loss_png(tmp_path)
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks


# 7 ------------------------------------------------------------------------------------------
def test_another_folder_after_a_run_starts_afresh_and_start_waits_for_photos(
        qtbot, tmp_path, local_weights, monkeypatch):
    """After a run, a missing or empty folder was refused in words, but the progress bar still
    said 100 %, the old curve and log stayed, and Start stayed enabled."""
    dlg = finished_run(qtbot, tmp_path, local_weights, monkeypatch)
    assert dlg.progress.value() == 100 and dlg.start_btn.isEnabled()
    assert dlg.progress.text() == "100 %"
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder, says in ((tmp_path / "missing", "That folder does not exist."),
                         (empty, "That folder holds no photos"), ("", "Choose a folder")):
        type_folder(qtbot, dlg, str(folder))
        assert dlg.status.text().startswith(says)
        assert not dlg.start_btn.isEnabled(), folder
        assert dlg.progress.value() == 0 and not dlg.curve.isVisible()
        assert dlg.progress.text() == "Not started"  # (an empty bar looked like a text field)
        assert dlg.log.toPlainText() == ""
    type_folder(qtbot, dlg, str(tmp_path / "train12"))
    assert dlg.start_btn.isEnabled()


def test_another_folder_after_a_run_shrinks_the_window_back(qtbot, tmp_path, local_weights,
                                                            monkeypatch):
    """The window grew to show a run's verdict and curve; another folder cleared them, but the
    window stayed that tall, its lower part empty."""
    heights = []
    dlg = finished_run(qtbot, tmp_path, local_weights, monkeypatch, heights=heights)
    assert dlg.height() > heights[0] + 50                 # grown for the curve
    type_folder(qtbot, dlg, str(tmp_path / "missing"))
    qtbot.wait(50)
    assert abs(dlg.height() - heights[0]) <= 2
    assert dlg.buttons.geometry().bottom() < dlg.height()


def test_the_few_photos_note_sits_under_its_checkbox_without_a_gap(qtbot, tmp_path,
                                                                    local_weights):
    """The note on a folder of few photos had an empty band above it as tall as its text (the
    form gave it twice the lines it needed and centred them); with no note, an empty line
    stood between the checkbox and the progress bar."""
    from colorizer_gui import retrain_dialog
    few = tmp_path / "few"
    few.mkdir()
    for i in range(3):
        (few / f"p{i}.jpg").write_bytes(b"")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    note, box = dlg.folder_note, dlg.decoder
    row_gap = box.geometry().top() - dlg.start_from.geometry().bottom()   # between the rows
    type_folder(qtbot, dlg, str(few))
    qtbot.wait(50)
    assert note.isVisible() and "Only 3 photos" in note.text()
    assert note.height() <= note.heightForWidth(note.width()) + 2        # no empty lines
    assert note.geometry().top() - box.geometry().bottom() <= row_gap + 2
    type_folder(qtbot, dlg, "")                                          # no note: no gap
    qtbot.wait(50)
    assert not note.isVisible()
    assert dlg.progress.geometry().top() - box.geometry().bottom() <= 2 * row_gap + 2


def test_the_photo_folder_field_lines_up_with_its_label_and_the_rows_below(qtbot, local_weights):
    """The folder row's box kept a layout's default margins: the field sat lower than its label
    and further right than the fields below, with extra space above "Steps"."""
    from PySide6.QtCore import QPoint
    from colorizer_gui import retrain_dialog
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)

    def box(w) -> QRect:
        return QRect(w.mapTo(dlg, QPoint(0, 0)), w.size())

    field, steps = box(dlg.folder), box(dlg.steps)
    label = box(dlg.form.labelForField(dlg.folder.parentWidget()))
    assert abs(field.center().y() - label.center().y()) <= 2
    assert field.left() == steps.left()
    row_gap = box(dlg.start_from).top() - steps.bottom()
    assert steps.top() - field.bottom() <= row_gap + 2


def test_the_retrain_window_starts_from_the_model_loaded_now(qtbot, win, seed_weights):
    """Tools > Retrain, then Model > another model, then Tools > Retrain again: the window
    reused from the first time offered to retrain the first model (found in a walk-through)."""
    win.retrain()
    first = win._retrain
    assert first.init_weights == str(win.controller.colorizer.path)
    assert first.decoder.isChecked()                       # the shipped default is local
    win.controller.load_model(str(seed_weights))
    qtbot.waitUntil(lambda: win.controller.colorizer is not None
                    and str(win.controller.colorizer.path) == str(seed_weights), timeout=WAIT)
    win.retrain()
    assert win._retrain is first and first.init_weights == str(seed_weights)
    assert first.start_from.text() == model_name(str(seed_weights))
    assert not first.decoder.isEnabled() and not first.decoder.isChecked()
    cmd = first.command(Path("run"))
    assert cmd[cmd.index("--init") + 1] == str(seed_weights)
    first.close()


def test_a_run_of_one_step_shows_its_training_loss_on_the_curve(tmp_path):
    """A one-step run logs a single training loss: a line through one point has no length, and
    the curve showed the validation point alone (a retraining walkthrough, session 28)."""
    from training.logs import plot_curves
    log = tmp_path / "log.csv"
    log.write_text("step,train_loss,val_loss\n0,,0.02\n1,0.01,0.019\n")
    plot_curves(log, tmp_path / "loss.png", "Training the palette network on one")
    rgb = np.asarray(Image.open(tmp_path / "loss.png").convert("RGB")).astype(int)
    blue = rgb[..., 2] - rgb[..., 0] > 80          # matplotlib's first colour (orange: validation)
    assert blue.sum(axis=0).max() >= 5        # a dot, not just the legend's 2-pixel line


def test_enter_in_the_folder_field_does_not_start_a_long_run(qtbot, tmp_path, local_weights,
                                                            monkeypatch):
    """Start was the window's default button: Enter after typing a folder started an hour of
    training at full CPU (a walkthrough). Nor does Enter open the folder dialog."""
    from PySide6.QtCore import Qt
    from colorizer_gui import retrain_dialog
    few = tmp_path / "few"
    few.mkdir()
    (few / "p0.jpg").write_bytes(b"")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    monkeypatch.setattr(dlg, "start", lambda: pytest.fail("started"))
    dlg.start_btn.clicked.disconnect()
    dlg.start_btn.clicked.connect(dlg.start)
    dlg.show()
    qtbot.waitExposed(dlg)
    type_folder(qtbot, dlg, str(few))
    assert dlg.start_btn.isEnabled()
    dlg.folder.setFocus()
    qtbot.keyClick(dlg.folder, Qt.Key.Key_Return)
    assert not dlg.running() and not dlg.start_btn.isDefault() and dlg.isVisible()
    assert "how long is left" in dlg.steps.toolTip()
