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
