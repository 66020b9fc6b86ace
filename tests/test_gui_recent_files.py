"""File > Open recent: a saved session is what it reopens; a file that is gone is said so and
taken off; the list can be cleared."""
from colorizer_gui import app_settings

from .test_gui import WAIT, photo, wait_idle, win  # noqa: F401 (fixtures)



def test_a_saved_session_is_what_open_recent_reopens(qtbot, win, tmp_path):
    win.doc.history.set_clean()
    sess = tmp_path / "mine.colorize.json"
    assert win.controller.write_session(sess)
    assert app_settings.recent_files(win.settings)[0] == str(sess)
    assert win.menus.recent_menu.actions()[0].text() == f"&1 {sess}"
    win.controller.open_path(sess)
    qtbot.waitUntil(lambda: win.doc.session_path == sess, timeout=WAIT)
    assert app_settings.recent_files(win.settings)[0] == str(sess)
    wait_idle(qtbot, win)


def test_a_recent_file_that_is_gone_is_said_so_and_taken_off_and_the_list_can_be_cleared(
        qtbot, win, photo, tmp_path, monkeypatch):
    """A walkthrough: Open recent kept a moved photo after "does not exist", had no keys and
    no way to clear it."""
    gone = tmp_path / "gone & lost.png"
    gone.write_bytes(photo.read_bytes())
    win.controller.open_path(gone)
    qtbot.waitUntil(lambda: win.doc.path == gone, timeout=WAIT)
    wait_idle(qtbot, win)
    texts = [a.text() for a in win.menus.recent_menu.actions()]
    assert texts[:2] == [f"&1 {str(gone).replace('&', '&&')}", f"&2 {photo}"]
    assert texts[-1] == "&Clear list"
    gone.unlink()
    said = []
    monkeypatch.setattr(win.prompts, "error", lambda title, text: said.append(text))
    win.menus.recent_menu.actions()[0].trigger()
    assert said == [f"gone & lost.png is no longer at {tmp_path}. It is taken off the recent list."]
    assert app_settings.recent_files(win.settings) == [str(photo)]
    assert [a.text() for a in win.menus.recent_menu.actions()][0] == f"&1 {photo}"
    win.menus.recent_menu.actions()[-1].trigger()                     # Clear list
    assert app_settings.recent_files(win.settings) == []
    assert not win.menus.recent_menu.isEnabled()