"""Two apps running at once each keep their own autosave (a walkthrough: they shared one file,
and after a crash of both only the work of the window that wrote last came back)."""
import os
import signal
import subprocess
import sys
import textwrap

from colorizer_gui import app_settings
from colorizer_gui.autosave import Autosave
from net.session_file import Session, load_session

OTHER_APP = textwrap.dedent("""
    import sys, time
    from colorizer_gui.app_settings import settings
    from colorizer_gui.autosave import Autosave
    from net.session_file import Session
    Autosave(settings()).write(Session(image="other.png"), None)
    print("ready", flush=True)
    time.sleep(120)
""")


def start_other_app():
    """Another process of the app (same data folder: XDG_DATA_HOME is inherited) that has
    written its autosave and is still running."""
    p = subprocess.Popen([sys.executable, "-c", OTHER_APP], stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert p.stdout.readline().strip() == "ready"
    return p


def test_a_second_app_gets_its_own_autosave_and_a_crash_of_either_loses_nothing():
    other = start_other_app()
    try:
        first = app_settings.data_dir() / app_settings.AUTOSAVE_FILE
        assert load_session(first).image == "other.png"           # the other app took slot 1
        ours = app_settings.autosave_path()
        assert ours == app_settings.data_dir() / "autosave-2.colorize.json"
        Autosave(app_settings.settings()).write(Session(image="mine.png"), None)
        assert load_session(first).image == "other.png"           # not overwritten
        assert app_settings.pending_autosave() == ours            # the running app's is not offered
    finally:
        other.send_signal(signal.SIGKILL)                         # the other app crashes
        other.wait()
    assert app_settings.pending_autosave() == ours                # this run's slot first
    ours.unlink()                                                 # (its work saved meanwhile)
    assert app_settings.pending_autosave() == first               # the crashed app's work is offered
    assert load_session(first).image == "other.png"


def test_one_app_alone_keeps_the_first_autosave_file():
    assert app_settings.autosave_path() == app_settings.data_dir() / app_settings.AUTOSAVE_FILE
    assert app_settings.pending_autosave() is None
    Autosave(app_settings.settings()).write(Session(image="photo.png"), None)
    assert app_settings.pending_autosave() == app_settings.autosave_path()
