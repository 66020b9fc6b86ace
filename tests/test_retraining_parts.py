"""Retraining a shipped model (the hnet stage): which parts adapt, and what a run records."""
import json

import numpy as np
import pytest

from .conftest import train_tiny
from .test_training import one_line_error, run_cli


def _changed_parts(before_weights):
    """A function: weights -> (the modules whose floating state differs from before_weights', meta)."""
    import torch
    from net.weights import load_model
    before, _ = load_model(before_weights)
    before = {k: v.detach().clone() for k, v in before.state_dict().items()}

    def changed(weights):
        after, meta = load_model(weights)
        diff = {k for k, v in after.state_dict().items()
                if v.dtype.is_floating_point and not torch.equal(v, before[k])}
        return {k.split(".")[0] if k.startswith("hnet") else ".".join(k.split(".")[:2])
                for k in diff}, meta
    return changed


def test_retraining_adapts_the_decoder_only_when_asked(local_weights, seed_weights, photo_dir,
                                                       tmp_path):
    """`--train hnet` changes HNet alone; `--train hnet,decoder` also the local decoder, never
    the gray branch; a resume with other parts, a seed model with the decoder, or an unknown
    part is refused with one line."""
    changed = _changed_parts(local_weights)

    only, _ = changed(train_tiny("hnet", tmp_path / "h", photo_dir, None, steps=6,
                                 extra=["--init", str(local_weights)]))
    assert only == {"hnet"}
    both, meta = changed(train_tiny("hnet", tmp_path / "hd", photo_dir, None, steps=6,
                                    extra=["--init", str(local_weights), "--train", "hnet,decoder"]))
    assert "hnet" in both and {"rtnet.dec1", "rtnet.out", "rtnet.palette_in"} <= both
    assert not any(p.startswith(("rtnet.vgg", "rtnet.proj", "rtnet.down4", "rtnet.fusion",
                                 "rtnet.classifier")) for p in both), both
    assert meta["training_history"][-1]["trained"] == "hnet,decoder"

    base = ["hnet", "--data", str(photo_dir), "--steps", "4", "--batch", "8", "--size", "64",
            "--workers", "0", "--val-count", "8", "--no-progress"]
    (tmp_path / "hd" / "model.safetensors").unlink()
    r = run_cli(base + ["--out", str(tmp_path / "hd"), "--steps", "8", "--resume", "--train", "hnet"])
    assert "with --train hnet,decoder; resume it the same way" in one_line_error(r)
    r = run_cli(base + ["--out", str(tmp_path / "s"), "--init", str(seed_weights),
                        "--train", "hnet,decoder"])
    assert "needs a local model" in one_line_error(r)
    r = run_cli(base + ["--out", str(tmp_path / "x"), "--init", str(local_weights), "--train", "vgg"])
    assert "--train 'vgg'" in one_line_error(r)
    r = run_cli(["local"] + base[1:] + ["--out", str(tmp_path / "y"), "--train", "hnet,decoder"])
    assert r.returncode == 2 and "the local stage trains its own parts" in r.stderr


def test_retraining_can_adapt_the_gray_branch_but_never_vgg(local_weights, photo_dir, tmp_path):
    """`--train hnet,decoder,gray` also adapts the gray branch's own layers (projections,
    bottleneck, fusion, classifier, which keeps its own loss), never VGG16 nor RTNet's
    BatchNorm statistics; the gray branch without the decoder is refused."""
    changed = _changed_parts(local_weights)
    parts, meta = changed(train_tiny("hnet", tmp_path / "g", photo_dir, None, steps=6,
                                     extra=["--init", str(local_weights),
                                            "--train", "hnet,decoder,gray"]))
    assert {"hnet", "rtnet.dec1", "rtnet.proj1", "rtnet.down4", "rtnet.fusion",
            "rtnet.classifier"} <= parts, parts
    assert not any(p.startswith("rtnet.vgg") for p in parts), parts
    from net.weights import load_model
    import torch
    before, _ = load_model(local_weights)
    after, _ = load_model(tmp_path / "g" / "model.safetensors")
    stats = {k: v for k, v in after.state_dict().items()
             if k.startswith("rtnet.") and "running_" in k}
    assert stats and all(torch.equal(v, before.state_dict()[k]) for k, v in stats.items())
    hist = meta["training_history"][-1]
    assert hist["trained"] == "hnet,decoder,gray" and hist["cls_weight"] == 0.01
    r = run_cli(["hnet", "--data", str(photo_dir), "--steps", "4", "--batch", "8", "--size", "64",
                 "--workers", "0", "--no-progress", "--out", str(tmp_path / "x"),
                 "--init", str(local_weights), "--train", "hnet,gray"])
    assert "--train 'hnet,gray'" in one_line_error(r)


def test_retraining_can_tune_vggs_top_blocks_at_a_lower_rate(local_weights, photo_dir, vgg_file,
                                                           tmp_path):
    """`--train hnet,decoder,gray,vgg` also tunes VGG16's conv4 and conv5 blocks, at a tenth of
    the others' learning rate, never conv1..conv3; a resume keeps the rates; vgg without the
    gray branch, or on a model without conv4/conv5, is refused."""
    import torch
    from net.weights import load_model
    from training.run import CKPT_NAME
    before, _ = load_model(local_weights)
    out = tmp_path / "v"
    w = train_tiny("hnet", out, photo_dir, None, steps=6,
                   extra=["--init", str(local_weights), "--train", "hnet,decoder,gray,vgg"])
    after, meta = load_model(w)
    convs = [not torch.equal(a.weight, b.weight)
             for a, b in zip(after.rtnet.vgg.convs, before.rtnet.vgg.convs)]
    assert convs == [False] * 7 + [True] * 6          # conv1_1..conv3_3 frozen, conv4/conv5 tuned
    assert meta["training_history"][-1]["trained"] == "hnet,decoder,gray,vgg"
    assert meta["training_history"][-1]["vgg_lr_scale"] == 0.1
    # stored in float16, not int8 (whose rounding would undo a tuning this small), and so
    # are they in what is trained from it next
    tuned = torch.load(out / CKPT_NAME, weights_only=True)["model"]
    for i in range(7, 13):
        w_after, w_ckpt = after.rtnet.vgg.convs[i].weight, tuned[f"rtnet.vgg.convs.{i}.weight"]
        assert (w_after - w_ckpt).abs().max() <= 1e-3 * w_ckpt.abs().max()
    assert meta["float_tensors"] == sorted(f"rtnet.vgg.convs.{i}.weight" for i in range(7, 13))
    again = train_tiny("hnet", tmp_path / "again", photo_dir, None, steps=1,
                       extra=["--init", str(w)])
    assert load_model(again)[1]["float_tensors"] == meta["float_tensors"]

    def rates():
        groups = torch.load(out / CKPT_NAME, weights_only=True)["optimizer"]["param_groups"]
        return [(len(g["params"]), g["lr"]) for g in groups]
    w.unlink()
    base = ["hnet", "--data", str(photo_dir), "--batch", "8", "--size", "64", "--workers", "0",
            "--val-count", "8", "--no-progress"]
    r = run_cli(base + ["--out", str(out), "--steps", "8", "--ckpt-every", "1", "--resume",
                        "--train", "hnet,decoder,gray,vgg"])
    assert r.returncode == 0, r.stderr
    (n_rest, lr_rest), (n_vgg, lr_vgg) = rates()
    assert n_vgg == 12 and n_rest > 12 and lr_vgg == pytest.approx(0.1 * lr_rest)
    r = run_cli(base + ["--steps", "4", "--out", str(tmp_path / "x"), "--init",
                        str(local_weights), "--train", "hnet,decoder,vgg"])
    assert "--train 'hnet,decoder,vgg'" in one_line_error(r)
    low_level = train_tiny("local", tmp_path / "n", photo_dir, vgg_file, steps=1,
                           extra=["--no-semantic"])
    r = run_cli(base + ["--steps", "4", "--out", str(tmp_path / "y"), "--init", str(low_level),
                        "--train", "hnet,decoder,gray,vgg"])
    assert "stops at conv3_3" in one_line_error(r)


def test_tuning_vggs_top_blocks_keeps_no_activations_of_the_frozen_ones():
    """With conv4/conv5 trainable, conv1..conv3's features carry no autograd graph (a training
    step's memory), conv4/conv5's do; frozen entirely, none does."""
    import torch
    from net.gray_branch import VGGGray
    vgg = VGGGray(semantic=True).requires_grad_(False)
    x = torch.zeros(1, 1, 32, 32)
    assert not any(f.requires_grad for f in vgg(x))
    vgg.top_convs().requires_grad_(True)
    f1, f2, f3, f4, f5 = vgg(x)
    assert not (f1.requires_grad or f2.requires_grad or f3.requires_grad)
    assert f4.requires_grad and f5.requires_grad
    with torch.no_grad():
        assert not any(f.requires_grad for f in vgg(x))


def test_an_hnet_run_can_switch_the_decoders_hint_propagation(local_weights, photo_dir, tmp_path):
    """--propagation on an --init model: recorded in the exported config (which the app then
    runs), and refused when the decoder does not train to see it."""
    w = train_tiny("hnet", tmp_path / "p", photo_dir, None, steps=2,
                   extra=["--init", str(local_weights), "--train", "hnet,decoder",
                          "--propagation", "levin-screened"])
    meta = json.loads(w.with_suffix(".json").read_text())
    assert meta["config"]["propagation"] == "levin-screened"
    assert meta["training_history"][-1]["propagation_switched_from"] == "levin"
    from net import Colorizer
    assert Colorizer.load(w, device="cpu", working_size=64).model.cfg.propagation == "levin-screened"
    base = ["hnet", "--data", str(photo_dir), "--steps", "4", "--batch", "8", "--size", "64",
            "--workers", "0", "--no-progress"]
    r = run_cli(base + ["--out", str(tmp_path / "q"), "--init", str(local_weights),
                        "--propagation", "levin-screened"])
    assert "--train hnet,decoder" in one_line_error(r)
    w.unlink()                                          # resume the switched run: it keeps it
    r = run_cli(base + ["--out", str(tmp_path / "p"), "--resume", "--train", "hnet,decoder",
                        "--propagation", "levin"])
    assert "with --propagation levin-screened; resume it the same way" in one_line_error(r)
    # a fresh matplotlib cache, as on a user's first retrain: its notice is not our log's
    r = run_cli(base + ["--out", str(tmp_path / "p"), "--resume", "--train", "hnet,decoder"],
                env={"MPLCONFIGDIR": str(tmp_path / "mpl")})
    assert r.returncode == 0, r.stderr
    assert "fontManager" not in r.stderr and "wrote" in r.stderr
    assert json.loads(w.with_suffix(".json").read_text())["config"]["propagation"] == "levin-screened"


def test_adapting_the_decoder_to_few_photos_is_warned_about(local_weights, photo_dir, tmp_path):
    """A decoder adapted to few photos colours them no better than HNet alone and other photos
    worse (README, "Retraining on a few photos"): the command line says so and names the safer
    choice; HNet alone is not warned about."""
    base = ["hnet", "--data", str(photo_dir), "--steps", "2", "--batch", "4", "--size", "64",
            "--workers", "0", "--val-count", "4", "--no-progress", "--init", str(local_weights)]
    r = run_cli(base + ["--out", str(tmp_path / "d"), "--train", "hnet,decoder"])
    assert r.returncode == 0, r.stderr
    assert "no better than the hint network alone" in r.stderr and "--train hnet" in r.stderr
    r = run_cli(base + ["--out", str(tmp_path / "h")])
    assert r.returncode == 0, r.stderr
    assert "no better than" not in r.stderr


def test_the_trainer_counts_few_photos_as_the_retraining_window_does(local_weights, tmp_path):
    """A folder of FEW_PHOTOS photos is not "few" for the window (it counts the folder's
    photos), so the trainer must not warn about it either; it used to count only the photos
    left for training after its held-out share, and warned."""
    from PIL import Image

    from net.retraining import FEW_PHOTOS, count_photos
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(FEW_PHOTOS):
        Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    assert count_photos(folder) == FEW_PHOTOS
    r = run_cli(["hnet", "--data", str(folder), "--steps", "1", "--batch", "2", "--size", "32",
                 "--workers", "0", "--val-count", "2", "--no-progress", "--init",
                 str(local_weights), "--out", str(tmp_path / "run"), "--train", "hnet,decoder"])
    assert r.returncode == 0, r.stderr
    assert "no better than" not in r.stderr
    r = run_cli(["hnet", "--data", str(folder), "--limit", "20", "--steps", "1", "--batch", "2",
                 "--size", "32", "--workers", "0", "--val-count", "2", "--no-progress", "--init",
                 str(local_weights), "--out", str(tmp_path / "run20"), "--train", "hnet,decoder"])
    assert r.returncode == 0, r.stderr
    assert "only 20 photos" in r.stderr                  # --limit: trains on 20, so warned


def test_the_loss_curve_says_what_trains_on_which_photos_and_what_it_measures():
    """The retraining window shows RUN/loss.png to users: its title names the parts and the
    folder in words (it said "hnet (blurred_mse)"), and its axis what the loss is."""
    from training.logs import curve_title
    assert curve_title("hnet", "hnet,decoder", ["/home/me/Pictures/forests/"], "blurred_mse") == (
        "Training the hint network + colouring network on forests",
        "blurred squared colour error (lower is better)")
    title, ylabel = curve_title("local", "hnet", ["a/scenes-train", "b/photos-train"], "psnr")
    assert title == "Training the local model on scenes-train, photos-train"
    assert ylabel == "PSNR-weighted squared error (lower is better)"
