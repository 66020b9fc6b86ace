import numpy as np
import pytest

from net.hints import paint_circles
from training.evaluate import SWEEP_N, format_table, psnr, sweep
from training.hint_sampling import coverage_circles, protocol_hints
from training.levin import levin_colorize


def test_protocol_hints_follow_the_protocol():
    rng = np.random.default_rng(0)
    ab = rng.normal(size=(2, 256, 256)).astype(np.float32)
    for n in SWEEP_N:
        circles = protocol_hints(ab, n, np.random.default_rng(n))
        assert len(circles) == n
        for cx, cy, r, a, b in circles:
            assert r == 3.0
            c0, r0 = int(cx - 3), int(cy - 3)
            assert cx - 3 == c0 and 0 <= c0 <= 250 and 0 <= r0 <= 250   # 6x6 patch inside
            assert a == pytest.approx(ab[0, r0:r0 + 6, c0:c0 + 6].mean(), abs=1e-5)
            assert b == pytest.approx(ab[1, r0:r0 + 6, c0:c0 + 6].mean(), abs=1e-5)
        if n:
            m = paint_circles(circles[:1], 256, 256)[2]
            ys, xs = np.nonzero(m)
            r0, c0 = int(circles[0][1] - 3), int(circles[0][0] - 3)
            assert ys.min() >= r0 and ys.max() <= r0 + 5 and xs.min() >= c0 and xs.max() <= c0 + 5
    # positions concentrate around the centre: std (256-6+1)/4 = 62.75
    many = protocol_hints(ab, 4000, np.random.default_rng(1))
    xs = np.array([c[0] for c in many])
    assert abs(xs.mean() - 128) < 4 and 50 < xs.std() < 64
    # fixed seeds: the same draw twice
    assert protocol_hints(ab, 10, np.random.default_rng(5)) == protocol_hints(ab, 10, np.random.default_rng(5))


def test_coverage_circles_reach_the_requested_coverage():
    ab = np.zeros((2, 128, 128), np.float32)
    for c in (0.01, 0.2, 0.8):
        circles = coverage_circles(ab, np.random.default_rng(0), c)
        cov = paint_circles(circles, 128, 128)[2].mean()
        assert c <= cov < c + 0.15


def test_levin_fills_a_flat_region_from_one_hint():
    y = np.full((40, 40), 0.5)
    ab = np.zeros((2, 40, 40)); ab[:, 5, 5] = (0.4, -0.2)
    m = np.zeros((40, 40), bool); m[5, 5] = True
    out = levin_colorize(y, ab, m)
    assert np.allclose(out[0], 0.4, atol=1e-4) and np.allclose(out[1], -0.2, atol=1e-4)


def test_levin_stops_at_a_strong_edge():
    y = np.full((40, 40), 0.2); y[:, 20:] = 0.9
    ab = np.zeros((2, 40, 40)); m = np.zeros((40, 40), bool)
    ab[:, 20, 3] = (0.5, 0.0); m[20, 3] = True        # left region: red-ish
    ab[:, 20, 36] = (-0.5, 0.0); m[20, 36] = True     # right region: green-ish
    out = levin_colorize(y, ab, m)
    assert out[0][:, :19].min() > 0.45 and out[0][:, 21:].max() < -0.45


def test_sweep_on_a_folder(photo_dir, local_weights):
    res = sweep(str(photo_dir), [str(local_weights)], limit=3, levels=(0, 5), progress=False,
                device="cpu")
    names = list(res["psnr"])
    assert names == ["no colour", "levin", "model"]
    assert res["photos"] == 3 and all(len(v) == 2 for v in res["psnr"].values())
    assert res["psnr"]["levin"][1] > res["psnr"]["no colour"][0]   # hints help the baseline
    table = format_table(res)
    assert "| levin |" in table and "| model |" in table


def test_psnr():
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy(); b[0, 0, 0] = 255
    assert psnr(a, a) == 99.0
    assert psnr(a, b) == pytest.approx(10 * np.log10(48), abs=1e-6)


def test_the_levin_cache_reuses_only_identical_hints(photo_dir, tmp_path):
    import json
    cache = tmp_path / "levin.json"
    kw = dict(progress=False, levin_cache=str(cache))
    first = sweep(str(photo_dir), [], limit=2, levels=(5,), **kw)["psnr"]["levin"][0]
    stored = json.loads(cache.read_text())
    assert len(stored) == 2 and first > 10
    cache.write_text(json.dumps({k: 0.0 for k in stored}))   # poisoned: a reuse shows as 0 dB
    assert sweep(str(photo_dir), [], limit=2, levels=(5,), **kw)["psnr"]["levin"] == [0.0]
    # the same photos with other hints (5 hints drawn for the second level, or for other photo
    # positions under another --limit) are computed, not taken from the cache
    other = sweep(str(photo_dir), [], limit=2, levels=(1, 5), **kw)["psnr"]["levin"]
    assert min(other) > 10
    mixed = sweep(str(photo_dir), [], limit=3, levels=(5,), **kw)["psnr"]["levin"][0]
    assert 10 / 3 < mixed < first                      # photo 0 (same hints) reused, two new ones not
    assert len(json.loads(cache.read_text())) == 2 + 4 + 2


def test_the_levin_cache_is_not_reused_once_the_code_behind_its_scores_changes(photo_dir, tmp_path,
                                                                               monkeypatch):
    """The cache holds scores, which depend on the hints' rasterisation, the solve and the merge
    into RGB: scores cached before any of them changed made the README's Levin rows stale."""
    import json
    import training.eval_methods as em
    code = tmp_path / "stand_in_for_a_module.py"
    code.write_text("x = 1\n")
    monkeypatch.setattr(em, "LEVIN_SOURCES", em.LEVIN_SOURCES + [code])
    cache = tmp_path / "levin.json"
    kw = dict(progress=False, levin_cache=str(cache), limit=2, levels=(5,))
    first = sweep(str(photo_dir), [], **kw)["psnr"]["levin"][0]
    stored = json.loads(cache.read_text())
    cache.write_text(json.dumps({k: 0.0 for k in stored}))   # poisoned: a reuse shows as 0 dB
    assert sweep(str(photo_dir), [], **kw)["psnr"]["levin"] == [0.0]      # same code: reused
    code.write_text("x = 2\n")                                          # the code changes
    assert sweep(str(photo_dir), [], **kw)["psnr"]["levin"][0] == pytest.approx(first)
    assert all(v > 10 for v in json.loads(cache.read_text()).values())   # old scores dropped
    code.write_text("x = 1\n")
    cache.write_text(json.dumps({k.split(":", 1)[1]: 0.0 for k in stored}))   # no fingerprint
    assert sweep(str(photo_dir), [], **kw)["psnr"]["levin"][0] == pytest.approx(first)


def test_colourfulness_follows_hasler_and_suesstrunk():
    from training.metrics import colour_measures, colourfulness, nearly_gray
    gray = np.full((8, 8, 3), 120, np.uint8)
    assert colourfulness(gray) == 0.0 and nearly_gray(gray)
    flat = np.zeros((4, 4, 3), np.uint8); flat[:] = (200, 100, 50)
    # rg = 100, yb = 150 - 50 = 100, no spread: M = 0.3 * sqrt(100^2 + 100^2)
    assert colourfulness(flat) == pytest.approx(0.3 * np.sqrt(2) * 100)
    two = np.zeros((2, 2, 3), np.uint8); two[0] = (255, 0, 0); two[1] = (0, 0, 255)
    rg = np.array([255.0, 255, 0, 0]); yb = np.array([127.5, 127.5, -255, -255])
    want = np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    assert colourfulness(two) == pytest.approx(want)
    assert not nearly_gray(two)
    m, share = colour_measures([gray, flat, two])
    assert share == pytest.approx(1 / 3) and m == pytest.approx((0 + colourfulness(flat) + want) / 3)


def test_sweep_metrics_and_an_automatic_system(photo_dir, local_weights, tmp_path, vgg_file):
    from .conftest import train_tiny
    import shutil
    w = train_tiny("autoencoder", tmp_path / "ae", photo_dir, None, steps=4)
    auto = tmp_path / "autoencoder.safetensors"
    shutil.copy(w, auto); shutil.copy(w.with_suffix(".json"), auto.with_suffix(".json"))
    res = sweep(str(photo_dir), [str(local_weights), str(auto)], limit=3, levels=(0, 5),
                progress=False, device="cpu", levin=False, metrics=True)
    assert list(res["psnr"]) == ["no colour", "model", "autoencoder"]
    p = res["psnr"]["autoencoder"]
    assert p[0] == p[1]                                # an automatic system ignores the hints
    col, gray = res["colourfulness"], res["gray_share"]
    assert list(col) == ["ground truth", "no colour", "model", "autoencoder"]
    assert all(len(v) == 2 and all(np.isfinite(v)) for v in col.values())
    assert max(col["no colour"]) < 0.5 and gray["no colour"] == [1.0, 1.0]
    assert col["ground truth"][0] > 5 and gray["ground truth"][0] == 0.0
    table = format_table(res)
    assert "Colourfulness" in table and "nearly gray" in table


def test_figures_show_one_model_at_several_hint_counts_and_several_models_side_by_side(
        photo_dir, local_weights, tmp_path):
    import torch
    from PIL import Image

    from net.weights import load_model, save_model
    from training.evaluate import main
    # A second model that certainly paints otherwise: the same weights with the output pushed
    # to strong red and the hint gate closed (two tiny models may both come out nearly gray).
    model, meta = load_model(local_weights)
    with torch.no_grad():
        model.rtnet.out.bias[0] += 3.0
        model.rtnet.out.bias[2] -= 10.0
    red = save_model(model, tmp_path / "red" / "red.safetensors",
                     {"training_history": meta["training_history"]})
    assert main(["figure", str(photo_dir), "--weights", str(local_weights), "--limit", "2",
                 "--out", str(tmp_path), "--device", "cpu"]) == 0
    one = np.asarray(Image.open(tmp_path / f"figure-{local_weights.stem}.png"))
    assert one.shape[1] == 5 * 260                   # input, 0/5/20 hints, ground truth
    assert main(["figure", str(photo_dir), "--weights", str(local_weights), str(red),
                 "--limit", "2", "--levels", "5", "--out", str(tmp_path), "--device", "cpu"]) == 0
    both = np.asarray(Image.open(tmp_path / "figure-systems-5.png"))
    assert both.shape == (28 + 2 * 260, 4 * 260, 3)  # input, two models, ground truth; 2 photos
    a, b = both[28:288, 262:518], both[28:288, 522:778]
    assert np.abs(a.astype(int) - b).mean() > 1        # each column is its own model's result
    assert main(["figure", str(photo_dir), "--out", str(tmp_path)]) == 2   # no model: a message


def test_the_evaluation_runs_what_users_run(photo_dir, local_weights):
    """colorizer-eval's result for a photo is Colorizer.colorize's, pixel for pixel."""
    from net import Colorizer
    from net.hints import Hint, hint_shapes
    from training.data import list_images
    from training.evaluate import NetworkMethod, Photo
    photo = Photo(list_images(str(photo_dir))[0])
    hints = [Hint(40.5, 60.0, 6, (200, 40, 30)), Hint(180.0, 150.5, 9, (30, 90, 200)),
             Hint(120.0, 220.0, 3, (40, 160, 60))]
    circles = hint_shapes(hints, photo.rgb.shape[:2], photo.rgb.shape[:2])
    assert len(circles) == 3
    evaluated = photo.rgb_from_ab_norm(NetworkMethod(str(local_weights), "cpu").predict([photo], [circles])[0])
    users = Colorizer.load(local_weights, device="cpu").colorize(photo.rgb, hints)
    assert np.array_equal(evaluated, users)
    assert not np.array_equal(users, Colorizer.load(local_weights, device="cpu").colorize(photo.rgb))


def test_the_correction_ablation_evaluates_the_networks_own_output(photo_dir, local_weights):
    """--no-hint-correction: the same weights without the residual correction, named as such;
    with it (what users run) the result passes through the hinted pixels."""
    from net.hints import paint_circles
    from training.data import list_images
    from training.evaluate import NetworkMethod, Photo
    photo = Photo(list_images(str(photo_dir))[0])
    circles = [(60.0, 60.0, 3.0, 0.4, -0.3), (180.0, 200.0, 3.0, -0.3, 0.5)]
    mask = paint_circles(circles, *photo.l.shape)[2] > 0
    on = NetworkMethod(str(local_weights), "cpu")
    off = NetworkMethod(str(local_weights), "cpu", hint_correction=False)
    assert on.colorizer.model.cfg.hint_correction and off.name == "model (no correction)"
    raw = []                                    # what the network itself paints, per call
    model = off.colorizer.model
    decode = model.colorize_from_gray
    model.colorize_from_gray = lambda *a: raw.append(decode(*a)) or raw[-1]
    ab_on, ab_off = on.predict([photo], [circles])[0], off.predict([photo], [circles])[0]
    want = paint_circles(circles, *photo.l.shape)[:2]
    assert np.abs(ab_on[:, mask] - want[:, mask]).max() < 0.01
    # Without the correction the result is the network's own output, however well the tiny
    # network happens to fit the hints (its fit differs from CPU to CPU).
    h, w = ab_off.shape[1:]
    own = raw[-1][0].float().numpy()[:, :h, :w]
    assert len(raw) == 1 and np.allclose(ab_off, own, atol=1e-5)
    res = sweep(str(photo_dir), [str(local_weights)], limit=2, levels=(5,), progress=False,
                device="cpu", levin=False, hint_correction=False)
    assert list(res["psnr"]) == ["no colour", "model (no correction)"]


def test_two_runs_exporting_the_same_file_name_get_their_own_rows(photo_dir, local_weights, tmp_path):
    """Every run exports RUN/model.safetensors: comparing two runs gave one row of twice the
    length, and plotting it crashed."""
    import shutil
    from training.evaluate import method_names
    other = tmp_path / "other-run" / "model.safetensors"
    other.parent.mkdir()
    shutil.copy(local_weights, other)
    shutil.copy(local_weights.with_suffix(".json"), other.with_suffix(".json"))
    res = sweep(str(photo_dir), [str(local_weights), str(other)], limit=2, levels=(0, 5),
                progress=False, device="cpu", levin=False)
    names = [n for n in res["psnr"] if n != "no colour"]
    assert names == [f"{local_weights.parent.name}/model", "other-run/model"]
    assert all(len(res["psnr"][n]) == 2 for n in names)
    assert res["psnr"][names[0]] == res["psnr"][names[1]]          # the same weights
    assert method_names(["a/m.safetensors", "a/m.safetensors", "b.safetensors"]) == [
        "a/m (1)", "a/m (2)", "b"]


def test_recording_without_levin_keeps_the_levin_row_measured_before(photo_dir, local_weights,
                                                                     tmp_path):
    """`--record KEY --no-levin` refreshes a model's scores; it used to overwrite the Levin row
    recorded under KEY with null, so the sidecar lost its baseline."""
    import json
    import shutil
    from training.evaluate import main
    w = tmp_path / "model.safetensors"
    shutil.copy(local_weights, w)
    shutil.copy(local_weights.with_suffix(".json"), w.with_suffix(".json"))
    args = ["sweep", str(photo_dir), "--weights", str(w), "--limit", "2", "--levels", "0", "5",
            "--device", "cpu", "--no-progress", "--record", "val"]

    def scores():
        return json.loads(w.with_suffix(".json").read_text())["scores"]

    assert main(args) == 0
    levin = scores()["val"]["levin"]
    assert levin is not None and len(levin) == 2 and levin[1] > levin[0]
    assert main(args + ["--no-levin"]) == 0
    assert scores()["val"]["levin"] == levin
    assert main(args + ["--no-levin", "--record", "other"]) == 0     # nothing to keep under a new key
    assert scores()["other"]["levin"] is None and scores()["val"]["levin"] == levin
    assert main([*args[:5], "3", *args[6:], "--no-levin"]) == 0     # other photos: not the same row
    assert scores()["val"]["levin"] is None and scores()["val"]["photos"] == 3
