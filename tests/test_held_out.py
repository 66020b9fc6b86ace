"""After adapting a model, the trainer says whether it colours held-out photos better, and the
app's retraining window keeps the model it started from when it does not."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from net.retraining import FEW_HELD_OUT, HELD_OUT_NAME, HeldOutScores, read_held_out

from .conftest import train_tiny

WAIT = 60_000


def test_an_adaptation_is_scored_before_and_after_on_the_photos_it_held_out(local_weights, photo_dir,
                                                                           tmp_path):
    from training.data import decode_folder
    from training.evaluate import method_names, sweep

    w = train_tiny("hnet", tmp_path / "run", photo_dir, None, steps=6,
                   extra=["--init", str(local_weights), "--train", "hnet,decoder"])
    scores = read_held_out(tmp_path / "run")
    assert scores is not None and scores.hints == (0, 5, 20)
    # The same photos scored independently: the trainer's validation photos are every 20th.
    held = decode_folder(photo_dir)[::20]
    assert scores.photos == len(held) >= 1
    folder = tmp_path / "held"
    folder.mkdir()
    for i, im in enumerate(held):
        Image.fromarray(im).save(folder / f"{i}.png")
    result = sweep(str(folder), [str(local_weights), str(w)], levels=(0, 5, 20), levin=False,
                   progress=False, device="cpu")
    before, after = (result["psnr"][n] for n in method_names([str(local_weights), str(w)]))
    np.testing.assert_allclose(scores.before, before, atol=2e-4)
    np.testing.assert_allclose(scores.after, after, atol=2e-4)
    assert json.loads(w.with_suffix(".json").read_text())["held_out"]["after"] == list(scores.after)


def test_a_failed_measurement_leaves_the_trained_model(local_weights, photo_dir, tmp_path,
                                                       monkeypatch):
    import training.held_out

    def broken(*a, **k):
        raise RuntimeError("out of memory")
    monkeypatch.setattr(training.held_out, "score", broken)
    w = train_tiny("hnet", tmp_path / "run", photo_dir, None, steps=2,
                   extra=["--init", str(local_weights)])
    assert w.is_file() and read_held_out(tmp_path / "run") is None


def test_no_score_without_held_out_photos_or_when_asked_not_to(local_weights, photo_dir, tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    first = sorted(photo_dir.iterdir())[0]
    (one / first.name).write_bytes(first.read_bytes())
    # A folder of one photo validates on the photo it trains on: nothing is held out.
    train_tiny("hnet", tmp_path / "a", one, None, steps=2, extra=["--init", str(local_weights)])
    train_tiny("hnet", tmp_path / "b", photo_dir, None, steps=2,
               extra=["--init", str(local_weights), "--held-out", "0"])
    for run in ("a", "b"):
        assert (tmp_path / run / "model.safetensors").is_file()
        assert not (tmp_path / run / HELD_OUT_NAME).exists()
        assert "held_out" not in json.loads((tmp_path / run / "model.json").read_text())


def test_held_out_scores_read_back_and_refuse_what_is_not_one(tmp_path):
    s = HeldOutScores(3, (0, 5, 20), (24.0, 26.0, 28.0), (24.1, 26.2, 27.96))
    (tmp_path / HELD_OUT_NAME).write_text(json.dumps(s.to_dict()))
    back = read_held_out(tmp_path)
    assert back == s and back.helped and abs(back.gain - 0.0867) < 1e-3
    assert "24.00 / 26.00 / 28.00 dB before, 24.10 / 26.20 / 27.96 dB after" in s.summary()
    # A gain the summary rounds to +0.00 is no gain, nor one bought by losing with hints.
    assert not HeldOutScores(1, (0,), (24.0,), (24.004,)).helped
    lost = HeldOutScores(3, (0, 5, 20), (24.76, 28.48, 30.07), (25.42, 28.33, 29.75))
    assert not lost.helped and lost.verdict() == "0.32 dB worse with 20 hints"
    assert HeldOutScores(3, (0, 5, 20), (24.76, 28.48, 30.07), (25.42, 28.43, 30.07)).helped
    # Session 24's walk: +0.00 on average, 0.10 lost with 20 hints: that loss is the reason.
    even = HeldOutScores(1, (0, 5, 20), (23.53, 23.53, 25.51), (23.62, 23.53, 25.41))
    assert even.outcome == "worse" and even.verdict() == "0.10 dB worse with 20 hints"
    small = HeldOutScores(1, (0, 5, 20), (23.53, 23.53, 25.51), (23.55, 23.53, 25.49))
    assert small.outcome == "level" and small.verdict() == "not better on average"
    # Worse on average is called worse (session 32's walk read "no better" for -0.10 / -0.49).
    assert HeldOutScores(1, (0, 5), (24.0, 26.0), (23.5, 25.5)).verdict() == \
        "0.50 dB worse on average"
    forest = HeldOutScores(3, (0, 5, 20), (24.0, 26.0, 28.0), (24.12, 25.96, 27.61))
    assert forest.worse and forest.verdict() == "0.10 dB worse on average, 0.39 dB worse with 20 hints"
    assert forest.brief().endswith("(worse: 0.10 dB worse on average, 0.39 dB worse with 20 hints)")
    assert not even.worse and even.brief().endswith("(no better: 0.10 dB worse with 20 hints)")
    for bad in ("{", "[]", '{"photos": 2}', '{"photos": 0, "hints": [0], "before": [1], "after": [1]}',
                '{"photos": 2, "hints": [0, 5], "before": [1], "after": [1, 2]}',
                '{"photos": 1e400, "hints": [0], "before": [1], "after": [1]}',
                '{"photos": 2, "hints": [1e400], "before": [1], "after": [1]}',
                '{"photos": 2, "hints": [0], "before": [NaN], "after": [1]}',
                '{"photos": 2, "hints": [0], "before": [1], "after": [Infinity]}',
                '{"photos": 2, "hints": "05", "before": "12", "after": "34"}',
                '{"photos": 2, "hints": ' + "[" * 100000 + "]" * 100000 + '}'):
        (tmp_path / HELD_OUT_NAME).write_text(bad)
        assert read_held_out(tmp_path) is None, bad
    assert read_held_out(tmp_path / "missing") is None


def test_a_verdict_on_few_photos_says_it_is_a_rough_check():
    """A new user retraining on 10 photos read a verdict on the one photo held out as final,
    with "-0.00 dB on average" and "on 1 of the photos"."""
    one = HeldOutScores(1, (0, 5, 20), (20.77, 29.46, 27.06), (20.78, 29.45, 27.05))
    text = one.summary()
    assert text.startswith("on the one photo it did not train on, with 0 / 5 / 20 hints")
    assert "(+0.00 dB on average" in text and "-0.00" not in text
    assert ("one photo is only a rough check: a run holds out one photo in 20 of its folder, at "
            "least one") in text
    many = HeldOutScores(FEW_HELD_OUT, (0,), (24.0,), (24.5,)).summary()
    assert "rough" not in many and many.startswith(f"on {FEW_HELD_OUT} of the photos")


@pytest.mark.parametrize("after, switched, loads", [((24.5, 26.5, 28.5), False, True),
                                                    ((23.5, 25.5, 27.9), False, False),
                                                    ((24.5, 26.5, 28.5), True, False)])
def test_retrain_window_loads_the_new_model_only_when_it_did_better(qtbot, tmp_path, local_weights,
                                                                    monkeypatch, after, switched,
                                                                    loads):
    from colorizer_gui import app_settings, retrain_dialog
    from net.assets import model_name

    from .test_gui_defects import FAKE_TRAINER, photo_folder
    monkeypatch.setattr(app_settings, "runs_dir", lambda: tmp_path / "runs")
    dlg = retrain_dialog.RetrainDialog(str(local_weights))
    qtbot.addWidget(dlg)
    held = HeldOutScores(3, (0, 5, 20), (24.0, 26.0, 28.0), after)
    png = tmp_path / "curve.png"
    Image.fromarray(np.full((40, 60, 3), 200, np.uint8)).save(png)
    fake = FAKE_TRAINER + ("import json; (out / 'held_out.json').write_text(sys.argv[5]); "
                           "shutil.copy(sys.argv[6], out / 'loss.png'); "
                           "(out / 'checkpoint.pt').write_bytes(b'state')\n")
    monkeypatch.setattr(dlg, "command", lambda out: [
        "-c", fake, str(local_weights), str(local_weights.with_suffix(".json")), "--out", str(out),
        json.dumps(held.to_dict()), str(png)])
    loaded = []
    dlg.modelReady.connect(loaded.append)
    dlg.folder.setText(str(photo_folder(tmp_path)))
    dlg.start()
    if switched:                                     # the user picked another model meanwhile
        dlg.set_init_weights(str(tmp_path / "other.safetensors"))
        assert dlg.init_weights == str(local_weights)
    qtbot.waitUntil(lambda: not dlg.running() and dlg.start_btn.isEnabled(), timeout=WAIT)
    text = dlg.status.text()
    assert held.summary() in text
    assert not (dlg.out / "checkpoint.pt").exists()     # a finished run's resumable state goes
    assert dlg.isVisible()             # (never shown here, as if closed during the run)
    assert not dlg.curve.isHidden() and not dlg.curve.pixmap().isNull()   # the loss curve shows,
    qtbot.waitUntil(lambda: dlg.curve.height() >= dlg.curve.pixmap().height())  # all of it,
    qtbot.waitUntil(lambda: dlg.curve.geometry().bottom() < dlg.log.geometry().top())  # in view
    if loads:
        assert loaded == [str(dlg.out / "model.safetensors")] and "Loaded into the app" in text
    elif switched:
        assert loaded == [] and "The app uses other now, chosen during the run" in text
    else:
        assert loaded == []
        assert f"{model_name(local_weights)} stays loaded" in text
        assert f"Retrained: {dlg.out.name}" in text          # still there to choose
