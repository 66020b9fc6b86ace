"""Simulated hints for training (training/hint_sampling.py) as the data pipeline uses them."""
from dataclasses import replace

import numpy as np

from training.data import make_sample
from training.hint_sampling import HintSamplingConfig


def test_hue_turn_turns_a_densely_hinted_crop_and_its_hints_together():
    """--hue-turn: a crop with 10+ hints comes out in other colours, and its hints (and their
    propagation, the decoder's input) in exactly those colours, so the network can only learn
    to follow them; the gray input is the same, chroma magnitudes are kept, and sparsely
    hinted crops are left alone."""
    yy, xx = np.mgrid[0:64, 0:64]
    rgb = np.stack([xx * 3 + 30, yy * 3 + 20, 255 - xx * 2 - yy], -1).clip(0, 255).astype(np.uint8)
    base = HintSamplingConfig(p_none=0.0, p_circles=0.0, max_points=40)
    turning = replace(base, p_hue_turn=1.0)
    seen_dense = seen_sparse = False
    angles = []
    for seed in range(40):
        l0, ab0, h0, c0 = make_sample(rgb, np.random.default_rng(seed), 48, base, propagation="levin")
        l1, ab1, h1, c1 = make_sample(rgb, np.random.default_rng(seed), 48, turning, propagation="levin")
        np.testing.assert_array_equal(l0, l1)                       # the gray input is the same
        np.testing.assert_allclose(np.hypot(*ab1), np.hypot(*ab0), atol=1e-5)
        if len(c0) < 10:
            np.testing.assert_array_equal(ab1, ab0)
            np.testing.assert_array_equal(h1, h0)
            seen_sparse = True
            continue
        seen_dense = True
        angle = np.arctan2(*ab1[::-1, 20, 20]) - np.arctan2(*ab0[::-1, 20, 20])
        angles.append(abs(np.sin(angle / 2)))          # 0 for no turn at all
        c, s = np.cos(angle), np.sin(angle)
        turn = lambda a, b: (c * a - s * b, s * a + c * b)         # noqa: E731
        np.testing.assert_allclose(np.stack(turn(*ab0)), ab1, atol=1e-5)
        for (x0, y0_, r0, a0, b0), (x1, y1_, r1, a1, b1) in zip(c0, c1):
            assert (x0, y0_, r0) == (x1, y1_, r1)
            np.testing.assert_allclose((a1, b1), turn(a0, b0), atol=1e-6)
        hinted = h0[3] > 0
        np.testing.assert_array_equal(h1[3], h0[3])
        np.testing.assert_allclose(h1[1:3][:, hinted], np.stack(turn(*h0[1:3]))[:, hinted], atol=1e-5)
    assert seen_dense and seen_sparse
    assert max(angles) > 0.5                                        # turned by more than 60 degrees
    # Validation crops keep their colours, whatever the share.
    for seed in range(3):
        kept = make_sample(rgb, np.random.default_rng(seed), 48, base, train=False, propagation="levin")
        same = make_sample(rgb, np.random.default_rng(seed), 48, turning, train=False, propagation="levin")
        for x, y in zip(kept[:3], same[:3]):
            np.testing.assert_array_equal(x, y)


def test_a_hue_turn_run_is_recorded_and_resumed_only_the_same_way(local_weights, photo_dir, tmp_path):
    """The sidecar's history says which share of the crops was turned, and a resume with
    another share is refused (the run would be recorded as if all of it had used the last)."""
    import json

    from .conftest import train_tiny
    from .test_training import one_line_error, run_cli

    w = train_tiny("hnet", tmp_path / "h", photo_dir, None, steps=4,
                   extra=["--init", str(local_weights), "--train", "hnet,decoder", "--hue-turn", "0.5"])
    assert json.loads(w.with_suffix(".json").read_text())["training_history"][-1]["hue_turn"] == 0.5
    base = ["hnet", "--data", str(photo_dir), "--steps", "8", "--batch", "8", "--size", "64",
            "--workers", "0", "--val-count", "8", "--no-progress", "--train", "hnet,decoder",
            "--out", str(tmp_path / "h"), "--resume"]
    assert "was started with --hue-turn 0.5; resume it the same way" in one_line_error(
        run_cli(base + ["--hue-turn", "0.2"]))  # (left out, the run's own is kept: test_training_resume)
    assert "--hue-turn is a share" in one_line_error(run_cli(base + ["--hue-turn", "2"]))
