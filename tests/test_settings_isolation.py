"""Each test starts with the app's settings as a new user has them (tests/conftest.py): what
one test chose (hint reach, folders, recent colours) never decides what a later one sees.
The two tests run in file order; the second fails when the first one's choices leak."""
from colorizer_gui import app_settings

_kept = []           # a QSettings the first test keeps open, as a window would


def test_a_test_changes_the_settings():
    s = app_settings.settings()
    _kept.append(s)
    app_settings.remember_hint_reach(s, "photo")
    app_settings.write_colors(s, [(200, 10, 10)])
    s.setValue("lastDir", "/somewhere")
    s.sync()
    assert app_settings.preferred_hint_reach(app_settings.settings()) == "photo"


def test_the_next_test_sees_the_defaults():
    for s in [app_settings.settings()] + _kept:
        assert app_settings.preferred_hint_reach(s) == app_settings.APP_DEFAULT_HINT_REACH
        assert app_settings.read_colors(s.value("recentColors", [])) == []
        assert s.value("lastDir", None) is None


# The app's data folder (autosave, retrained runs) is per test too: an autosave one test left
# would be offered for recovery when a later test's window starts, and its run listed as a model.
_first_data_dir = []


def test_a_test_leaves_an_autosave_and_a_run():
    from net.session_file import Session
    from colorizer_gui.autosave import Autosave
    Autosave(app_settings.settings()).write(Session(image="photo.png"), None)
    run = app_settings.runs_dir() / "leaked-run"
    run.mkdir(parents=True)
    (run / "model.safetensors").write_bytes(b"")          # as a retraining run leaves it
    assert app_settings.pending_autosave() == app_settings.autosave_path()
    assert app_settings.retrained_models() == [run / "model.safetensors"]
    _first_data_dir.append(app_settings.data_dir())


def test_the_next_test_starts_with_an_empty_data_folder():
    assert app_settings.pending_autosave() is None
    assert app_settings.retrained_models() == []
    assert _first_data_dir and app_settings.data_dir() != _first_data_dir[0]
    assert not app_settings.data_dir().exists()
