"""Model > Manage retrained models (a retraining walkthrough, session 28, found no way to rename
or delete what Tools > Retrain made, and runs loaded from a file all named
"model.safetensors" in the Model menu): use, rename and delete a retrained model, with the
model in use and a run still being written left safe."""
import json
import os
from pathlib import Path

import pytest

from colorizer_gui import app_settings
from colorizer_gui.models_dialog import describe_run, name_problem

from .test_gui import WAIT, photo, win  # noqa: F401 (fixtures)
from .test_gui_state_sync import copy_model, menu_texts


@pytest.fixture
def runs(tmp_path, monkeypatch, local_weights):
    """Two retrained models in the app's runs folder, the newer one measured on held-out photos."""
    root = tmp_path / "runs"
    monkeypatch.setattr(app_settings, "runs_dir", lambda: root)
    older = copy_model(local_weights, root / "forest-20261201-101010")
    newer = copy_model(local_weights, root / "beach-20261202-121212")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    (newer.parent / "args.json").write_text(json.dumps(
        {"stage": "hnet", "data": ["/photos/beach"], "steps": 400}))
    (newer.parent / "held_out.json").write_text(json.dumps(
        {"photos": 8, "hints": [0, 5, 20], "before": [24.0, 26.0, 28.0],
         "after": [24.3, 26.3, 28.3]}))
    return older, newer


def open_dialog(win):
    action = next(a for a in win.menus.model_menu.actions()
                  if a.text() == "&Manage retrained models…")
    assert action.isEnabled()
    action.trigger()
    return win.menus.models_dialog


def select(dlg, model: Path):
    rows = [dlg.list.item(i) for i in range(dlg.list.count())]
    dlg.list.setCurrentItem(next(r for r in rows if r.text().startswith(model.parent.name)))


def test_a_run_loaded_from_a_file_is_named_after_its_folder_in_the_model_menu(win, local_weights):
    # (the window loaded local_weights = LOCAL_RUN/model.safetensors, from outside the app's runs)
    assert f"File: {local_weights.parent.name}" in menu_texts(win)
    assert "File: model.safetensors" not in menu_texts(win)


def test_the_list_says_what_each_model_was_trained_on(qtbot, win, runs):
    older, newer = runs
    menu_texts(win)
    dlg = open_dialog(win)
    texts = [dlg.list.item(i).text() for i in range(dlg.list.count())]
    assert [t.split("\n")[0] for t in texts] == [newer.parent.name, older.parent.name]  # newest first
    assert "on beach · 400 steps · +0.30 dB against the model it started from" in texts[0]
    assert describe_run(older).startswith("2023-11-1")             # its date, nothing unknown
    # A run started from another retrained model names it (runs build on each other after
    # Use, and a walkthrough could not tell what "the model it started from" was)
    options = json.loads((newer.parent / "args.json").read_text())
    (newer.parent / "args.json").write_text(json.dumps({**options, "init": str(older)}))
    assert f"+0.30 dB against {older.parent.name} on 8 photos" in describe_run(newer)
    dlg.close()


def test_a_run_that_ends_while_the_list_is_open_joins_it(qtbot, win, runs, local_weights):
    """A walkthrough: the note said the model "joins this list when it ends", and it did not
    until the window was opened again."""
    older, newer = runs
    menu_texts(win)
    dlg = open_dialog(win)
    run = older.parent.parent / "garden-20261204-134046"
    running = [run]
    dlg.busy = lambda: list(running)
    dlg.update_buttons()                           # (the window's once-a-second look)
    assert "A retraining is under way (garden-20261204-134046, starting)" in dlg.note.text()
    assert dlg.list.count() == 2
    copy_model(local_weights, run)                 # the run writes its model and ends
    running.clear()
    dlg.update_buttons()
    names = [dlg.list.item(i).text().split("\n")[0] for i in range(dlg.list.count())]
    assert run.name in names and dlg.note.text() == ""
    dlg.close()


def test_rename_renames_the_run_and_the_model_in_use_follows(qtbot, win, runs, monkeypatch):
    older, newer = runs
    win.controller.load_model(str(newer))
    qtbot.waitUntil(lambda: win.colorizer.path == newer, timeout=WAIT)
    menu_texts(win)
    dlg = open_dialog(win)
    select(dlg, newer)
    assert not dlg.delete_btn.isEnabled() and dlg.rename_btn.isEnabled()    # in use: no delete
    stopped = older.parent.parent / "photos-20261203-101010"      # a stopped run started from it
    stopped.mkdir()
    (stopped / "checkpoint.pt").write_bytes(b"state")
    (stopped / "args.json").write_text(json.dumps({"stage": "hnet", "data": ["/p"], "steps": 200,
                                                   "init": str(newer)}))
    errors = []
    monkeypatch.setattr(dlg.prompts, "error", lambda title, text: errors.append(text))
    for taken in (older.parent.name, "a/b", ".hidden", "local"):
        monkeypatch.setattr(dlg.prompts, "text", lambda *a, name=taken: name)
        dlg.rename()
        assert newer.is_file()                                       # refused, nothing moved
    assert len(errors) == 4 and "already there" in errors[0] and "cannot be" in errors[1]
    monkeypatch.setattr(dlg.prompts, "text", lambda *a: "  Beach, summer 1962 ")
    dlg.rename()
    moved = newer.parent.parent / "Beach, summer 1962" / "model.safetensors"
    assert moved.is_file() and not newer.parent.exists()
    # at once, not when the reload is done (a quit meanwhile lost the model at the next start)
    assert app_settings.settings().value("model") == str(moved)
    # the stopped run measures its end against the model where it is now
    assert json.loads((stopped / "args.json").read_text())["init"] == str(moved)
    qtbot.waitUntil(lambda: win.colorizer.path == moved, timeout=WAIT)     # the app follows
    assert "Retrained: Beach, summer 1962" in " ".join(menu_texts(win))
    assert dlg.list.currentItem().text().startswith("Beach, summer 1962  (in use)")
    dlg.close()


def test_delete_moves_the_run_to_the_trash_after_asking(qtbot, win, runs, monkeypatch):
    older, newer = runs
    menu_texts(win)
    dlg = open_dialog(win)
    select(dlg, older)
    assert dlg.delete_btn.isEnabled()
    asked = []
    monkeypatch.setattr(dlg.prompts, "yes_no", lambda title, text: asked.append(text) or False)
    dlg.delete()
    assert older.is_file() and older.parent.name in asked[0]             # No: kept
    monkeypatch.setattr(dlg.prompts, "yes_no", lambda title, text: True)
    dlg.delete()
    assert not older.parent.exists()
    trash = Path(os.environ["XDG_DATA_HOME"]) / "Trash" / "files" / older.parent.name
    assert (trash / "model.safetensors").is_file()                       # recoverable
    assert dlg.list.count() == 1
    assert not any(older.parent.name in t for t in menu_texts(win))
    dlg.close()


def test_a_run_being_written_cannot_be_renamed_or_deleted(qtbot, win, runs):
    older, _newer = runs
    menu_texts(win)
    dlg = open_dialog(win)
    dlg.busy = lambda: [older.parent]
    select(dlg, older)
    assert not dlg.rename_btn.isEnabled() and not dlg.delete_btn.isEnabled()
    assert dlg.use_btn.isEnabled()
    dlg.close()


def test_names_that_cannot_name_a_folder_are_refused(tmp_path):
    run = tmp_path / "old"
    run.mkdir()
    (tmp_path / "taken").mkdir()
    for bad in ("", "con:x", "a\\b", "..", ".hidden", "trailing.", "x" * 81, "\U0001f600" * 61,
                "NUL", "com1.txt", "taken", "local"):
        assert name_problem(bad, run), bad
    for good in ("old", "Old", "Grandma's garden (1950s)", "Jardín de la abuela", "console"):
        assert name_problem(good, run) == "", good


def test_a_model_being_loaded_or_a_retraining_started_from_is_left_alone(qtbot, win, runs,
                                                                         tmp_path, monkeypatch):
    from .test_retrain_resume import start_stoppable_run
    older, newer = runs
    win.controller.load_model(str(newer))
    qtbot.waitUntil(lambda: win.colorizer.path == newer, timeout=WAIT)
    retrain = start_stoppable_run(qtbot, win, tmp_path, monkeypatch)     # a run from newer...
    win.controller.load_model(str(older))                  # ...and the user switches meanwhile
    assert str(older) in win.controller.models_in_use()    # (being loaded: as good as in use)
    menu_texts(win)
    dlg = open_dialog(win)
    # The run under way is named below the list (a walkthrough looked for it there)
    run = retrain.out.name
    assert dlg.note.text() == (f"A retraining is under way ({run}, step 40 of 200): its model "
                               f"joins this list when it ends."), dlg.note.text()
    select(dlg, older)
    assert not dlg.delete_btn.isEnabled()                   # being loaded: as good as in use
    # nor renamed until loaded: the load under way reads the old place (renaming it reloaded
    # the model, a second load, and the first could fail to find its file)
    assert not dlg.rename_btn.isEnabled() and "being loaded" in dlg.rename_btn.toolTip()
    qtbot.waitUntil(lambda: win.colorizer.path == older, timeout=WAIT)
    dlg.update_buttons()
    assert dlg.rename_btn.isEnabled()                       # in use now: renamed, it reloads
    select(dlg, newer)
    # the run scores its result against newer at its end: neither renamed nor deleted meanwhile
    assert not dlg.rename_btn.isEnabled() and not dlg.delete_btn.isEnabled()
    assert "still using it" in dlg.delete_btn.toolTip()
    monkeypatch.setattr(dlg.prompts, "text", lambda *a: pytest.fail("asked"))
    dlg.rename()                                            # (the method checks, not only the button)
    retrain.stop()
    qtbot.waitUntil(lambda: not retrain.running(), timeout=WAIT)
    dlg.update_buttons()
    assert dlg.delete_btn.isEnabled() and dlg.note.text() == ""
    assert retrain.init_weights == str(older)      # its next Start: the model in use now
    dlg.close()
    retrain.close()


def test_without_a_trash_delete_asks_again_before_deleting_for_good(qtbot, win, runs, monkeypatch):
    from colorizer_gui import models_dialog
    older, _newer = runs
    (older.parent / "checkpoint.pt").write_bytes(b"state")      # (a run of the command line)
    monkeypatch.setattr(models_dialog.QFile, "moveToTrash", lambda path: False)
    menu_texts(win)
    dlg = open_dialog(win)
    select(dlg, older)
    answers = iter([True, False, True, True])       # trash? yes; for good? no / yes, yes
    asked = []
    monkeypatch.setattr(dlg.prompts, "yes_no",
                        lambda title, text: asked.append(title) or next(answers))
    dlg.delete()
    assert older.is_file() and asked == ["Delete the model?", "Delete the model for good?"]
    dlg.delete()
    assert not older.parent.exists()
    dlg.close()


def test_a_moved_run_repoints_the_stopped_runs_that_started_from_its_weights(tmp_path):
    from net.retraining import repoint_runs, stopped_runs_from
    runs = tmp_path / "runs"

    def stopped(name, **options):
        (runs / name).mkdir(parents=True)
        (runs / name / "checkpoint.pt").write_bytes(b"state")
        (runs / name / "args.json").write_text(json.dumps({"stage": "hnet", **options}))
        return runs / name

    old, new = runs / "beach", runs / "Beach 1962"
    by_path = stopped("a", init=str(old / "model.safetensors"))
    relative = stopped("b", init="runs/beach/best.safetensors", cwd=str(tmp_path))
    other = stopped("c", init=str(runs / "garden" / "model.safetensors"))
    broken = stopped("d")
    (broken / "args.json").write_text("{not json")
    assert stopped_runs_from(runs, old) == [by_path, relative]
    assert stopped_runs_from(runs, old / "model.safetensors") == [by_path]
    repoint_runs(runs, old, new)
    init = lambda run: json.loads((run / "args.json").read_text()).get("init")   # noqa: E731
    assert init(by_path) == str(new / "model.safetensors")
    assert init(relative) == str(new / "best.safetensors")
    assert init(other) == str(runs / "garden" / "model.safetensors")
    assert (broken / "args.json").read_text() == "{not json"


def test_with_no_retrained_model_the_window_says_how_to_make_one(qtbot, win, tmp_path,
                                                                  monkeypatch):
    """Greyed out, the menu item did not say why (a walkthrough, session 29)."""
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "no-runs")
    menu_texts(win)
    dlg = open_dialog(win)
    assert dlg.list.count() == 0 and "Tools > Retrain on a folder makes one" in dlg.note.text()
    assert not dlg.use_btn.isEnabled() and not dlg.delete_btn.isEnabled()
    dlg.close()
