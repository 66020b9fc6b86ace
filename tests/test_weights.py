import json
import pickle
import shutil

import numpy as np
import pytest
import torch

from net import Colorizer, Hint, WeightsError
from net.atomic import file_sha256
from net.weights import INT8_MIN_VALUES, load_model, read_vgg16_features, save_model, sidecar_path


def copy_model(src, dst_dir, name="m"):
    dst = dst_dir / f"{name}.safetensors"
    shutil.copy(src, dst)
    shutil.copy(sidecar_path(src), sidecar_path(dst))
    return dst


def redescribe(p):
    """Make the sidecar's checksum match a hand-edited tensors file (to reach later checks)."""
    meta = json.loads(sidecar_path(p).read_text())
    meta["tensors_sha256"] = file_sha256(p)
    sidecar_path(p).write_text(json.dumps(meta))


def test_weights_round_trip(local_weights, tmp_path, gray_photo):
    model, meta = load_model(local_weights)
    again = save_model(model, tmp_path / "again.safetensors", {"note": "round trip"})
    model2, meta2 = load_model(again)
    for (k, v), (k2, v2) in zip(model.state_dict().items(), model2.state_dict().items()):
        assert k == k2
        if v.is_floating_point() and v.dim() == 4 and v.numel() >= INT8_MIN_VALUES:
            step = v.abs().amax(dim=(1, 2, 3), keepdim=True) / 127    # int8, one scale per channel
            assert ((v - v2).abs() <= step / 2 + 1e-6).all(), k
        elif v.is_floating_point():
            assert torch.equal(v.half().float(), v2), k   # float16 storage is exact after one trip
    model3, _ = load_model(save_model(model2, tmp_path / "third.safetensors"))
    for (k, v2), (_, v3) in zip(model2.state_dict().items(), model3.state_dict().items()):
        if v2.is_floating_point() and v2.dim() == 4 and v2.numel() >= INT8_MIN_VALUES:
            assert torch.allclose(v2, v3, rtol=0, atol=1e-6), k     # a second trip changes nothing
    assert meta2["note"] == "round trip" and meta2["variant"] == "local"
    hints = [Hint(30, 30, 4, (10, 200, 10))]
    a = Colorizer.load(local_weights, device="cpu").colorize(gray_photo, hints)
    b = Colorizer.load(again, device="cpu").colorize(gray_photo, hints)
    assert np.array_equal(a, b)


def test_sidecar_records_training(local_weights):
    meta = json.loads(sidecar_path(local_weights).read_text())
    hist = meta["training_history"][-1]
    assert hist["stage"] == "local" and hist["steps"] == 60
    assert meta["normalization"]["ab_scale"] == 110.0


def test_truncated_file_is_refused(local_weights, tmp_path):
    p = copy_model(local_weights, tmp_path)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="m.safetensors"):
        load_model(p)


def test_missing_sidecar_is_refused(local_weights, tmp_path):
    p = copy_model(local_weights, tmp_path)
    sidecar_path(p).unlink()
    with pytest.raises(WeightsError, match="missing"):
        load_model(p)


def test_wrong_variant_in_sidecar_is_refused(local_weights, tmp_path):
    p = copy_model(local_weights, tmp_path)
    meta = json.loads(sidecar_path(p).read_text())
    meta["variant"] = meta["config"]["variant"] = "seed"
    meta["config"].pop("hint_correction", None)         # a seed config without local options
    sidecar_path(p).write_text(json.dumps(meta))
    with pytest.raises(WeightsError, match="does not match"):
        load_model(p)


def test_shape_mismatch_is_refused(local_weights, tmp_path):
    p = copy_model(local_weights, tmp_path)
    meta = json.loads(sidecar_path(p).read_text())
    meta["config"]["decoder"] = [16, 48, 96, 128]
    sidecar_path(p).write_text(json.dumps(meta))
    with pytest.raises(WeightsError, match="shape"):
        load_model(p)


def test_nan_weights_are_refused(local_weights, tmp_path):
    from safetensors.torch import load_file, save_file
    p = copy_model(local_weights, tmp_path)
    t = load_file(str(p))
    k = next(k for k in t if t[k].is_floating_point())
    t[k] = torch.full_like(t[k], float("nan"))
    save_file(t, str(p))
    redescribe(p)
    with pytest.raises(WeightsError, match="NaN"):
        load_model(p)


def test_tensors_that_do_not_belong_to_the_sidecar_are_refused(local_weights, tmp_path):
    """Same architecture, other numbers: e.g. an export killed between its two renames."""
    from safetensors.torch import load_file, save_file
    p = copy_model(local_weights, tmp_path)
    assert json.loads(sidecar_path(p).read_text())["tensors_sha256"] == file_sha256(p)
    t = load_file(str(p))
    k = next(k for k in t if t[k].is_floating_point())
    t[k] = t[k] * 0.5
    save_file(t, str(p))
    with pytest.raises(WeightsError, match="does not match its description .*checksum"):
        load_model(p)
    redescribe(p)
    load_model(p)                       # the same file with a matching description loads


class Boom:
    def __reduce__(self):
        import os
        return (os.system, ("touch pwned",))


def test_pickle_weights_are_refused_and_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"features.0.weight": Boom()}))
    with pytest.raises(WeightsError, match="only .safetensors"):
        load_model(evil)
    with pytest.raises(WeightsError):
        read_vgg16_features(evil)            # torch.load(weights_only=True) refuses the payload
    assert not (tmp_path / "pwned").exists()


def test_vgg_import_accepts_torchvision_layouts(vgg_file, tmp_path):
    from safetensors.torch import load_file
    sd = load_file(str(vgg_file))
    full = {k: v for k, v in sd.items()}
    full["classifier.0.weight"] = torch.zeros(2, 2)
    torch.save(full, tmp_path / "vgg16-full.pth")                         # vgg16().state_dict()
    torch.save({k.removeprefix("features."): v for k, v in sd.items()},
               tmp_path / "vgg16-features.pth")                           # vgg16().features.state_dict()
    a = read_vgg16_features(tmp_path / "vgg16-full.pth")
    b = read_vgg16_features(tmp_path / "vgg16-features.pth")
    assert all(torch.equal(a[k][0], b[k][0]) for k in a)
    sd.pop("features.12.weight")
    from safetensors.torch import save_file
    save_file(sd, str(tmp_path / "broken.safetensors"))
    with pytest.raises(WeightsError, match="features.12"):
        read_vgg16_features(tmp_path / "broken.safetensors")


def test_hint_correction_is_on_for_local_levin_models_only():
    from net.models import ModelConfig
    assert ModelConfig().hint_correction is True
    assert ModelConfig(variant="seed", propagation="levin").hint_correction is False
    assert ModelConfig(propagation="fgs").hint_correction is False
    # a sidecar from before the option: Levin models get it, the first (FGS) models do not
    assert ModelConfig.from_dict({"variant": "local", "propagation": "levin"}).hint_correction is True
    assert ModelConfig.from_dict({"variant": "local"}).hint_correction is False
    assert ModelConfig.from_dict({"variant": "local", "hint_correction": False}).hint_correction is False
    with pytest.raises(ValueError, match="hint_correction"):
        ModelConfig(propagation="fgs", hint_correction=True)
