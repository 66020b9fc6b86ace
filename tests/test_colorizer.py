import numpy as np
import pytest

from net import Colorizer, Hint, WeightsError
from net.color import rgb_color_to_ab, rgb_to_l, rgb_to_lab


def luminance_error(a, b):
    d = np.abs(rgb_to_l(a) - rgb_to_l(b))
    return d.mean(), np.percentile(d, 99)


@pytest.mark.parametrize("shape", [(301, 457), (457, 301), (64, 64), (17, 200), (2, 2), (1, 1)])
def test_output_size_and_luminance_equal_input(local_colorizer, shape):
    rng = np.random.default_rng(0)
    g = rng.integers(0, 256, size=shape, dtype=np.uint8)
    rgb = np.repeat(g[:, :, None], 3, axis=2)
    hints = [Hint(shape[1] / 2, shape[0] / 2, 3, (200, 30, 30))]
    out = local_colorizer.colorize(rgb, hints)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    mean, p99 = luminance_error(out, rgb)
    assert mean < 0.5 and p99 < 1.5


def test_colour_input_uses_only_its_luminance(local_colorizer):
    from skimage import data

    from net.color import merge_l_ab
    rgb = data.coffee()[:200, :300]
    l = rgb_to_l(rgb)
    gray = merge_l_ab(l, np.zeros(l.shape + (2,), np.float32))   # same L, no colour
    a, b = local_colorizer.colorize(rgb, []), local_colorizer.colorize(gray, [])
    mean, p99 = luminance_error(a, rgb)
    assert mean < 0.5 and p99 < 1.5
    assert np.abs(rgb_to_lab(a)[..., 1:] - rgb_to_lab(b)[..., 1:]).mean() < 1.0


def test_preview_is_aspect_correct_working_resolution(local_colorizer):
    rgb = np.zeros((300, 600, 3), np.uint8)
    s = local_colorizer.open(rgb)
    p = s.preview([])
    assert p.shape == (64, 128, 3)           # working size 128 on the long side
    assert s.render([]).shape == (300, 600, 3)


def test_render_equals_colorize_and_preview_reuses_gray_features(local_colorizer, gray_photo):
    hints = [Hint(40, 50, 5, (30, 90, 200))]
    s = local_colorizer.open(gray_photo)
    gray_feats = s._gray
    s.preview(hints)
    s.preview(hints + [Hint(80, 20, 5, (200, 200, 30))])
    assert s._gray is gray_feats              # hints never recompute the gray branch
    assert np.array_equal(s.render(hints), local_colorizer.colorize(gray_photo, hints))


def test_a_hint_influences_its_region_in_the_local_variant(local_colorizer, gray_photo):
    """Red versus blue hint at one spot: the output around it takes the hint's chroma."""
    h, w = gray_photo.shape[:2]
    x, y = w * 0.3, h * 0.3
    red_rgb, blue_rgb = (220, 30, 30), (30, 60, 220)
    red = rgb_to_lab(local_colorizer.colorize(gray_photo, [Hint(x, y, 12, red_rgb)]))
    blue = rgb_to_lab(local_colorizer.colorize(gray_photo, [Hint(x, y, 12, blue_rgb)]))
    win = (slice(int(y) - 6, int(y) + 6), slice(int(x) - 6, int(x) + 6))
    ab_red, ab_blue = np.array(rgb_color_to_ab(red_rgb)), np.array(rgb_color_to_ab(blue_rgb))
    out_red = red[win][..., 1:].reshape(-1, 2).mean(axis=0)
    out_blue = blue[win][..., 1:].reshape(-1, 2).mean(axis=0)
    # each result sits much nearer its own hint's chroma than the other hint's
    assert np.linalg.norm(out_red - ab_red) < 0.5 * np.linalg.norm(out_red - ab_blue)
    assert np.linalg.norm(out_blue - ab_blue) < 0.5 * np.linalg.norm(out_blue - ab_red)
    assert out_red[1] - out_blue[1] > 40                # b: red is warm, blue is cold


def test_default_model_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("COLORIZER_ASSETS", str(tmp_path))
    with pytest.raises(WeightsError, match="no default model"):
        Colorizer.load()


def test_unknown_device_is_refused(local_weights):
    with pytest.raises(ValueError):
        Colorizer.load(local_weights, device="tpu")


def test_folding_batchnorm_keeps_the_function(local_weights, gray_photo):
    """Colorizer.load folds BatchNorm into the convolutions: same output (fp32), fewer layers."""
    import torch

    from net.models import fold_batchnorm
    from net.weights import load_model
    model, _ = load_model(local_weights)
    folded = fold_batchnorm(load_model(local_weights)[0].eval())
    n_bn = lambda m: sum(isinstance(x, torch.nn.BatchNorm2d) for x in m.modules())  # noqa: E731
    assert n_bn(folded) < n_bn(model)
    for seq in [m for m in folded.modules() if isinstance(m, torch.nn.Sequential)]:
        for i, layer in enumerate(seq):            # only BN that comes before a conv remains
            if isinstance(layer, torch.nn.BatchNorm2d):
                nxt = seq[i + 1] if i + 1 < len(seq) else None
                if isinstance(nxt, torch.nn.Sequential):
                    nxt = nxt[0]
                assert isinstance(nxt, torch.nn.Conv2d)
    torch.manual_seed(0)
    l = torch.randn(1, 1, 64, 96)
    x = torch.randn(1, 7, 64, 96)
    with torch.inference_mode():
        a = model.eval()(l, x)
        b = folded(l, x)
    assert torch.allclose(a, b, atol=1e-4)
    with pytest.raises(ValueError):
        fold_batchnorm(model.train())
    c = Colorizer.load(local_weights, device="cpu", precision="fp32", working_size=128)
    assert n_bn(c.model) == n_bn(folded)                       # Colorizer.load folds them
    assert np.abs(c.colorize(gray_photo).astype(int) - Colorizer(
        model.eval(), {}, torch.device("cpu"), working_size=128, precision="fp32"
    ).colorize(gray_photo).astype(int)).max() <= 1


@pytest.mark.slow
def test_the_benchmark_reports_where_a_preview_spends_its_time():
    """`python3 -m net.benchmark` (the README's speed numbers) runs with the bundled model and
    splits the preview into its stages, which add up to at most the whole preview."""
    import subprocess
    import sys
    from pathlib import Path
    r = subprocess.run([sys.executable, "-m", "net.benchmark", "--repeat", "3", "--threads", "1",
                        "--device", "cpu"], capture_output=True, text=True, timeout=600,
                       cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0, r.stderr
    ms = {line.split(" p50 ")[0].strip(): float(line.split(" p50 ")[1].split()[0])
          for line in r.stdout.splitlines() if " p50 " in line}
    stages = [ms[k] for k in ("hint input", "network", "correction")]
    assert all(v > 0 for v in stages)
    assert sum(stages) <= ms["preview after a hint change"] * 1.2 + 1.0
