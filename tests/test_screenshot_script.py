"""scripts/screenshot.py, which makes the README's picture, still drives the app (session 32:
it called a window method that had been renamed away and hung with no picture)."""
import os
import subprocess
import sys

from .test_training import REPO


def test_the_readme_screenshot_script_paints_and_saves(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home")}
    r = subprocess.run([sys.executable, "scripts/screenshot.py", str(out)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert out.is_file() and out.stat().st_size > 0
