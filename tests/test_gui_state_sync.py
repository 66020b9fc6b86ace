"""What the window shows stays in step with what changed elsewhere: the Model menu with new
retrained models, the retraining window with the model in use, the colour panel with a moved
hint, the remembered hint reach with undo, a session with the model it was made with, and the
recent files with the sessions saved."""
import shutil
from pathlib import Path

from PySide6.QtCore import QEvent, Qt

from colorizer_gui import app_settings
from net.assets import model_name
from net.hints import Hint
from net.session_file import Session, save_session

from .test_gui import WAIT, click, new_window, photo, send, wait_idle, win  # noqa: F401 (fixtures)
from .test_gui_defects import type_folder


def copy_model(src: Path, run_dir: Path) -> Path:
    """A retrained model as Tools > Retrain leaves it: RUN/model.safetensors + its sidecar."""
    run_dir.mkdir(parents=True)
    shutil.copy(src, run_dir / "model.safetensors")
    shutil.copy(src.with_suffix(".json"), run_dir / "model.json")
    return run_dir / "model.safetensors"


def menu_texts(win):
    win.menus.model_menu.aboutToShow.emit()          # what opening the menu does
    return [a.text() for a in win.menus.model_menu.actions()]


def test_a_model_retrained_after_the_menu_was_built_is_listed_when_it_opens(win, tmp_path,
                                                                           local_weights, monkeypatch):
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    assert not any("Retrained: late-run" in t for t in menu_texts(win))
    copy_model(local_weights, tmp_path / "runs" / "late-run")        # not loaded: no model change
    assert any("Retrained: late-run" in t for t in menu_texts(win))


def test_the_retraining_window_starts_from_the_model_in_use(qtbot, win, tmp_path, seed_weights,
                                                           monkeypatch):
    from colorizer_gui.retrain_dialog import RetrainDialog
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    win.retrain()
    dlg = win.findChild(RetrainDialog)
    win.controller.load_model(str(seed_weights))                     # switched while it is open
    qtbot.waitUntil(lambda: win.colorizer.path == seed_weights, timeout=WAIT)
    assert dlg.init_weights == str(seed_weights)
    assert dlg.start_from.text() == model_name(seed_weights)
    dlg.close()


def test_moving_the_selected_hint_updates_the_lightness_the_panel_describes(qtbot, win):
    h, w = win.doc.size
    spots = [(x, y) for x in range(20, w - 20, 20) for y in range(20, h - 20, 20)]
    dark = min(spots, key=lambda p: win.doc.lightness_at(*p))
    light = max(spots, key=lambda p: win.doc.lightness_at(*p))
    gv = win.views.gray_view
    click(gv, dark)                                   # a hint there...
    click(gv, dark)                                   # ...selected
    assert win.tool.selected == 0
    assert abs(win.panel.lightness - win.doc.lightness_at(*dark)) < 1e-3
    send(gv, QEvent.Type.MouseButtonPress, dark)      # dragged to the lightest spot
    for t in (0.25, 0.5, 0.75, 1.0):
        send(gv, QEvent.Type.MouseMove, tuple(a + t * (b - a) for a, b in zip(dark, light)))
    send(gv, QEvent.Type.MouseButtonRelease, light, buttons=Qt.MouseButton.NoButton)
    assert win.tool.selected == 0 and len(win.doc.hints) == 1
    assert abs(win.doc.hints[0].x - light[0]) < 2 and abs(win.doc.hints[0].y - light[1]) < 2
    assert abs(win.panel.lightness - win.doc.lightness_at(*light)) < 1e-3
    wait_idle(qtbot, win)


def test_the_remembered_hint_reach_follows_undo(qtbot, win):
    start = win.doc.hint_reach
    other = "photo" if start == "region" else "region"
    win.controller.set_hint_reach(other)
    assert app_settings.preferred_hint_reach(win.settings) == other
    win.doc.history.undo()
    assert win.doc.hint_reach == start
    assert app_settings.preferred_hint_reach(win.settings) == start
    win.doc.history.redo()
    assert app_settings.preferred_hint_reach(win.settings) == other
    wait_idle(qtbot, win)


def test_an_empty_window_shows_the_hint_reach_a_photo_will_get(qtbot, local_weights):
    s = app_settings.settings()
    app_settings.remember_hint_reach(s, "photo")        # not the one the app starts with
    s.sync()
    w = new_window(qtbot, local_weights)
    try:
        assert w.doc.path is None and w.panel.photo_reach_btn.isChecked()
        assert not w.menus.reach_action.isChecked()
    finally:
        w.close()


def test_a_session_reopens_with_the_model_it_was_made_with(qtbot, win, photo, tmp_path,
                                                           seed_weights, monkeypatch):
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    made_with = copy_model(seed_weights, tmp_path / "runs" / "my-seed-run")
    sess = tmp_path / "photo.colorize.json"
    save_session(sess, Session(image=str(photo), hints=[Hint(30.0, 30.0, 5.0, (0, 90, 200))],
                               model="my-seed-run"))
    assert win.colorizer.name != "my-seed-run"
    win.controller.open_path(sess)
    qtbot.waitUntil(lambda: win.colorizer.path == made_with and len(win.doc.hints) == 1,
                    timeout=WAIT)
    wait_idle(qtbot, win)
    assert win.controller.session.colorizer is win.colorizer
    # A model that is not here: the session opens with the model in use, and says so.
    save_session(sess, Session(image=str(photo), hints=[], model="gone-run"))
    warnings = []
    monkeypatch.setattr(win.controller.prompts, "error", lambda t, m: warnings.append(m))
    win.controller.open_path(sess)
    qtbot.waitUntil(lambda: any("gone-run, which is not here" in m for m in warnings), timeout=WAIT)
    assert "colours may differ" in warnings[0]
    assert win.colorizer.path == made_with
    wait_idle(qtbot, win)


def test_the_window_title_marks_unsaved_work_before_any_photo(qtbot, local_weights):
    w = new_window(qtbot, local_weights)
    try:
        assert "[*]" in w.windowTitle()         # else Qt warns on every setWindowModified
    finally:
        w.close()


def test_a_model_that_fails_to_load_leaves_a_whole_sentence_and_no_loading_message(qtbot, win,
                                                                                   tmp_path, monkeypatch):
    bad = tmp_path / "fake.safetensors"
    bad.write_bytes(b"not weights")                  # and no sidecar
    errors = []
    monkeypatch.setattr(win.prompts, "error", lambda title, msg: errors.append(msg))
    before = win.colorizer
    win.controller.load_model(str(bad))
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT)
    assert errors[0].endswith("is missing.\nThe previous model stays in use."), errors[0]
    assert win.colorizer is before and "Loading" not in win.statusBar().currentMessage()
    wait_idle(qtbot, win)


def test_a_model_chosen_while_a_session_opens_wins_over_the_sessions(qtbot, win, photo, tmp_path,
                                                                     local_weights, seed_weights,
                                                                     monkeypatch):
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    copy_model(seed_weights, tmp_path / "runs" / "my-seed-run")
    sess = tmp_path / "photo.colorize.json"
    save_session(sess, Session(image=str(photo), hints=[], model="my-seed-run"))
    win.controller.open_path(sess)
    win.controller.load_model(str(local_weights))   # picked in the Model menu meanwhile
    qtbot.waitUntil(lambda: win.doc.session_path == sess, timeout=WAIT)
    wait_idle(qtbot, win)
    assert win.colorizer.path == local_weights and win.controller.session.colorizer is win.colorizer


def test_rebuilding_the_menus_leaves_no_old_actions_behind(qtbot, win):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    def count():
        for _ in range(3):
            win.menus.model_menu.aboutToShow.emit()
            win.menus.update_recent()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return len(win.findChildren(QAction)), len(win.findChildren(QMenu))

    assert count() == count()


def test_a_session_made_with_the_users_own_file_of_a_bundled_name_reopens_with_that_file(
        qtbot, win, tmp_path, seed_weights, local_weights):
    """A session recorded its model by name only, so one made with a user's own
    ``local.safetensors`` reopened with the bundled ``local``: other colours, unannounced.
    It now records the file and its weights' identity and reopens with that very file."""
    mine = tmp_path / "mine" / "local.safetensors"
    mine.parent.mkdir()
    shutil.copy(seed_weights, mine)
    shutil.copy(seed_weights.with_suffix(".json"), mine.with_suffix(".json"))
    win.controller.load_model(str(mine))
    qtbot.waitUntil(lambda: win.colorizer.path == mine, timeout=WAIT)
    wait_idle(qtbot, win)
    sess = tmp_path / "photo.colorize.json"
    save_session(sess, win.controller.current_session())
    win.controller.load_model(str(local_weights))
    qtbot.waitUntil(lambda: win.colorizer.path == local_weights, timeout=WAIT)
    win.controller.open_path(sess)
    qtbot.waitUntil(lambda: win.colorizer.path == mine, timeout=WAIT)
    wait_idle(qtbot, win)
    assert win.controller.session.colorizer is win.colorizer


def test_a_session_finds_its_retrained_model_after_the_run_folder_was_renamed(
        qtbot, win, photo, tmp_path, seed_weights, monkeypatch):
    """By the weights' identity (the sidecar's tensors_sha256), not only by name."""
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    made_with = copy_model(seed_weights, tmp_path / "runs" / "first-name")
    sess = tmp_path / "photo.colorize.json"
    save_session(sess, Session(image=str(photo), hints=[], model="first-name",
                               model_path=str(made_with),
                               model_sha256=app_settings.weights_sha256(made_with)))
    renamed = made_with.parent.rename(tmp_path / "runs" / "second-name") / "model.safetensors"
    messages = []
    win.controller.message.connect(lambda text, ms: messages.append(text))
    win.controller.open_path(sess)
    qtbot.waitUntil(lambda: win.colorizer.path == renamed, timeout=WAIT)
    qtbot.waitUntil(lambda: any("Switched to second-name" in m for m in messages), timeout=WAIT)
    wait_idle(qtbot, win)


def test_a_session_whose_weights_are_gone_says_a_model_of_that_name_colours_it(tmp_path,
                                                                               monkeypatch):
    """Recorded weights that are nowhere here: the model of that name is used, and the user is
    warned it is not the one the session was made with (or nothing is switched when it is in
    use). A recorded path that cannot be a weights file is passed over, not a crash."""
    from types import SimpleNamespace
    from net.assets import models_dir
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    bundled = models_dir() / "local.safetensors"
    other = SimpleNamespace(meta={"tensors_sha256": "d" * 64}, name="seed",
                            path=models_dir() / "seed.safetensors")
    in_use = SimpleNamespace(meta={"tensors_sha256": app_settings.weights_sha256(bundled)},
                             name="local", path=bundled)
    (tmp_path / "dir.safetensors").mkdir()
    for recorded in (tmp_path / "gone" / "local.safetensors", "/tmp/" + "a" * 5000,
                     tmp_path / "dir.safetensors", bundled.with_suffix(".json")):
        gone = ("local", str(recorded), "c" * 64)
        switch = app_settings.session_model_switch(gone, other)
        assert switch.path == bundled and switch.warn and "colours may differ" in switch.note
        switch = app_settings.session_model_switch(gone, in_use)
        assert switch.path is None and switch.warn and "weights of the model local that are not here" in switch.note
        assert str(recorded) in switch.note and "The local in use colours it" in switch.note
    same = ("local", "/elsewhere/local.safetensors", app_settings.weights_sha256(bundled))
    assert app_settings.session_model_switch(same, in_use) == (None, "", False)
    switch = app_settings.session_model_switch(same, other)
    assert switch.path == bundled and not switch.warn and "Switched to local" in switch.note


def test_the_users_decoder_choice_survives_a_model_change(qtbot, local_weights, tmp_path):
    """Ticking the decoder box for a folder of few photos ("Tick the box to adapt the decoder
    anyway") and then switching model (the window follows the model in use) untick it again:
    the user's choice stood only until the next model change. It now stands while the folder
    is the same; another folder gets that folder's rule."""
    from colorizer_gui import retrain_dialog
    from net.retraining import FEW_PHOTOS
    few, many = tmp_path / "few", tmp_path / "many"
    few.mkdir(), many.mkdir()
    for i in range(3):
        (few / f"p{i}.jpg").write_bytes(b"")
    for i in range(FEW_PHOTOS):
        (many / f"p{i}.jpg").write_bytes(b"")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    type_folder(qtbot, dlg, str(few))
    assert not dlg.decoder.isChecked()
    dlg.decoder.click()                                   # the user ticks it
    dlg.set_init_weights(str(local_weights))              # another model comes into use
    assert dlg.decoder.isChecked()
    dlg.on_folder_changed(announce=False)                 # the folder is read again
    assert dlg.decoder.isChecked()
    type_folder(qtbot, dlg, str(many))
    dlg.decoder.click()                                   # unticked for the big folder
    dlg.set_init_weights(str(local_weights))
    assert not dlg.decoder.isChecked()
    type_folder(qtbot, dlg, str(few))                     # another folder: its own rule
    assert not dlg.decoder.isChecked()
    type_folder(qtbot, dlg, str(many))
    assert dlg.decoder.isChecked()


def test_a_retrained_model_is_named_after_its_photos_and_listed_newest_first(tmp_path,
                                                                           monkeypatch):
    """Runs were named "hnet-20261202-061234": the Model menu said nothing of what each was
    trained on. Now the run is named after the photos' folder, and the list stays newest first
    (by when the model was written, since such names do not sort by date)."""
    import os
    from colorizer_gui.retrain_dialog import run_name
    assert run_name("/photos/Family album 1950/").startswith("Family-album-1950-")
    assert run_name("/").startswith("photos-")
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    for i, name in enumerate(("zebras-20261202-0900", "albums-20261202-1000")):
        (tmp_path / "runs" / name).mkdir(parents=True)
        model = tmp_path / "runs" / name / "model.safetensors"
        model.write_bytes(b"")
        os.utime(model, (1000 + i, 1000 + i))
    assert [p.parent.name for p in app_settings.retrained_models()] == [
        "albums-20261202-1000", "zebras-20261202-0900"]


def test_the_first_hint_tip_is_hidden_while_the_eraser_is_on(qtbot, win):
    """After erasing the last hint, "Click on the photo to add a colour hint" came back while a
    click would erase (a new user's walkthrough)."""
    from colorizer_gui.view_pair import FIRST_HINT_TEXT
    assert not win.doc.hints and win.views.gray_view.placeholder == FIRST_HINT_TEXT
    win.tool.set_mode("erase")
    assert win.views.gray_view.placeholder == ""
    win.tool.set_mode("paint")
    assert win.views.gray_view.placeholder == FIRST_HINT_TEXT


def test_model_names_say_what_a_model_does_with_hints_and_nothing_twice(win):
    """The status bar said "model: local (local)"; the seed model, which turns hints into one
    palette for the whole photo, looked broken to a new user (its hints' colours mixed)."""
    from net.assets import model_label
    assert model_label("local", "local", True, short=True) == "local"
    # the Model menu's bundled "local" said nothing of what it does (a walkthrough: jargon)
    assert model_label("local", "local", True) == "local (hints set the colours and where they go)"
    assert model_label("forests-20261202", "local", True) == "forests-20261202"
    assert "palette only" in model_label("seed", "seed", True)
    assert "ignores hints" in model_label("zhang", "zhang", False)
    c = win.colorizer
    assert win.model_text().startswith(f"model: {model_label(c.name, c.variant, True, True)} ·")


def test_a_malformed_session_names_its_file_and_a_moved_photos_folder_reads_plainly(
        qtbot, win, tmp_path, monkeypatch):
    errors, asked = [], []
    monkeypatch.setattr(win.controller.prompts, "error", lambda t, m: errors.append(m))
    monkeypatch.setattr(win.controller.prompts, "yes_no", lambda t, m: asked.append(m) or False)
    bad = tmp_path / "bad.colorize.json"
    bad.write_text('{"format": "colorizer-session", "version": 2, "image": "p.png", '
                   '"hints": [{"x": 1}]}')
    assert not win.controller.open_session(bad)
    assert errors and errors[0].startswith("bad.colorize.json: hint 1 is missing")
    (tmp_path / "moved").mkdir()
    moved = tmp_path / "moved" / "s.colorize.json"
    save_session(moved, Session(image=str(tmp_path / "old" / "p.png")))
    moved.write_text(moved.read_text().replace(str(tmp_path / "old"), "../old"))
    assert not win.controller.open_session(moved)
    assert asked and f"found in\n{tmp_path / 'old'}\n" in asked[0] and ".." not in asked[0]


def test_a_new_user_starts_with_each_hint_colouring_its_own_region(tmp_path):
    """With "Whole photo" as the first-run choice, a new user's first red hint reddened the
    whole photo (walkthroughs of sessions 12 and 19); the library's default stays "photo"."""
    from PySide6.QtCore import QSettings
    from net.hint_reach import DEFAULT_HINT_REACH
    fresh = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    assert app_settings.preferred_hint_reach(fresh) == "region"
    assert DEFAULT_HINT_REACH == "photo"
    fresh.setValue("hintReach", "photo")
    assert app_settings.preferred_hint_reach(fresh) == "photo"


def test_after_a_model_switch_the_status_bar_does_not_credit_the_old_picture_to_it(
        qtbot, win, seed_weights):
    """The status bar said "model: seed … inference 131 ms" while the view still showed the
    previous model's colours (a new user comparing models credits the wrong one)."""
    seen = []
    win.controller.modelChanged.connect(lambda: seen.append(win.status_time.text()))
    win.controller.load_model(str(seed_weights))
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen[0].startswith("colouring with ")
    wait_idle(qtbot, win)
    assert win.controller.last_result.session.colorizer is win.colorizer
    assert win.status_time.text().startswith("inference ")


def test_opening_a_session_over_unsaved_hints_asks_about_the_session(qtbot, win, photo, tmp_path,
                                                                    monkeypatch):
    """Open recent > a session, with unsaved hints: the question named the session's photo
    ("before opening astronaut-gray.jpg?"), not the session the user picked."""
    sess = tmp_path / "family.colorize.json"
    save_session(sess, Session(image=str(photo), hints=[Hint(30.0, 30.0, 5.0, (0, 90, 200))]))
    click(win.gray_view, (60, 60))
    wait_idle(qtbot, win)
    asked = []
    monkeypatch.setattr(win.controller.prompts, "save_changes",
                        lambda action: asked.append(action) or "cancel")
    win.controller.open_path(sess)
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT)
    assert asked == ["opening family.colorize.json"]
    assert len(win.doc.hints) == 1 and win.doc.session_path != sess
    win.doc.history.set_clean()


def test_save_export_and_clear_are_greyed_out_until_a_photo_is_open(qtbot, local_weights, photo):
    """A walkthrough: with no photo they stayed enabled and answered with a message box."""
    w = new_window(qtbot, local_weights)
    try:
        texts = ["&Save session", "Save session &as…", "&Export colorized image…", "&Clear all hints"]
        assert [a.text() for a in w.menus.photo_actions] == texts
        assert not any(a.isEnabled() for a in w.menus.photo_actions)
        w.controller.open_path(photo)
        qtbot.waitUntil(lambda: w.doc.photo is not None, timeout=WAIT)
        assert all(a.isEnabled() for a in w.menus.photo_actions)
        wait_idle(qtbot, w)
    finally:
        w.close()
