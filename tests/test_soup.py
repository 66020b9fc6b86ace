"""colorizer-soup: the average of models fine-tuned from the same weights, recorded as such."""
import json

import numpy as np
import torch

from net.weights import load_model, save_model
from training.soup import main


def fine_tune_like(src, out, shift: float, run: dict):
    """A copy of ``src`` whose weights moved by ``shift`` per tensor, with one more run in its
    history (what a fine-tuning run from ``src`` exports)."""
    model, meta = load_model(src)
    g = torch.Generator().manual_seed(int(shift * 1000) + 7)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(shift * p.abs().mean() * torch.randn(p.shape, generator=g))
    history = meta["training_history"] + [run]
    save_model(model, out, {"training_history": history, "cnn1_trained": meta.get("cnn1_trained")})
    return out


def test_a_soup_is_the_weighted_average_and_says_how_it_was_made(local_weights, tmp_path):
    a = fine_tune_like(local_weights, tmp_path / "a.safetensors", 0.3, {"stage": "hnet", "steps": 5})
    b = fine_tune_like(local_weights, tmp_path / "b.safetensors", 0.6, {"stage": "hnet", "steps": 9})
    out = tmp_path / "soup.safetensors"
    assert main([str(out), str(a), str(b), "--shares", "3", "1"]) == 0
    ma, mb, ms = (load_model(p)[0].state_dict() for p in (a, b, out))
    for k, v in ms.items():
        if not v.is_floating_point():
            continue
        want = 0.75 * ma[k] + 0.25 * mb[k]
        step = want.abs().max().item() / 127 + 1e-3          # int8 / float16 storage
        assert torch.allclose(v, want, atol=step), k
        if not torch.equal(ma[k], mb[k]):
            assert not torch.allclose(v, ma[k], atol=1e-6), k       # really mixed
    meta = json.loads(out.with_suffix(".json").read_text())
    base = json.loads(local_weights.with_suffix(".json").read_text())["training_history"]
    assert meta["training_history"][:-1] == base
    soup = meta["training_history"][-1]
    assert soup["stage"] == "soup" and soup["shares"] == [0.75, 0.25]
    # with its folder: every run exports RUN/model.safetensors
    assert [o["file"] for o in soup["of"]] == [f"{tmp_path.name}/a.safetensors",
                                               f"{tmp_path.name}/b.safetensors"]
    assert [o["runs"] for o in soup["of"]] == [[{"stage": "hnet", "steps": 5}],
                                                [{"stage": "hnet", "steps": 9}]]
    assert soup["of"][0]["tensors_sha256"] == json.loads(a.with_suffix(".json").read_text())[
        "tensors_sha256"]
    from net import Colorizer
    rgb = Colorizer.load(out, device="cpu", working_size=64).colorize(
        np.full((40, 50, 3), 120, np.uint8))
    assert rgb.shape == (40, 50, 3)


def test_a_tensor_an_ingredient_kept_in_float16_stays_float16_in_the_soup(local_weights, tmp_path):
    """A fine-tuned VGG16 block is stored in float16 (its tuning is smaller than an int8 step,
    which rounding would undo); averaged with a model that stores it as int8, the soup keeps
    float16, so half the tuning survives instead of rounding away."""
    from safetensors import safe_open
    name = "rtnet.vgg.convs.12.weight"
    model, meta = load_model(local_weights)
    base = model.state_dict()[name].clone()
    step = base.abs().amax(dim=(1, 2, 3), keepdim=True) / 127
    sign = torch.randint(0, 2, base.shape, generator=torch.Generator().manual_seed(0)) * 2 - 1
    delta = 0.3 * step * sign                                   # under half an int8 step
    with torch.no_grad():
        model.state_dict()[name].add_(delta)
    history = {"training_history": meta["training_history"] + [{"stage": "hnet"}]}
    tuned = save_model(model, tmp_path / "tuned.safetensors", history, keep_float=[name])
    plain = save_model(model, tmp_path / "plain.safetensors", history)
    lost = load_model(plain)[0].state_dict()[name] - base
    assert lost.abs().mean() < 0.35 * delta.abs().mean()        # int8 undoes most of it
    out = tmp_path / "soup.safetensors"
    assert main([str(out), str(tuned), str(local_weights)]) == 0
    soup, soup_meta = load_model(out)
    assert soup_meta["float_tensors"] == [name]
    with safe_open(str(out), "pt") as f:
        assert name in f.keys() and name + ".int8" not in f.keys()
    got = soup.state_dict()[name] - base
    assert (got - delta / 2).abs().max() <= 0.3 * delta.abs().max()


def test_models_that_cannot_be_averaged_are_refused_with_a_message(local_weights, seed_weights,
                                                                   tmp_path, capsys):
    out = tmp_path / "soup.safetensors"
    assert main([str(out), str(local_weights), str(seed_weights)]) == 2
    assert "another kind of model" in capsys.readouterr().err
    stranger, meta = load_model(local_weights)
    save_model(stranger, tmp_path / "stranger.safetensors",
               {"training_history": [{"stage": "local", "steps": 1, "data": ["elsewhere"]}]})
    assert main([str(out), str(local_weights), str(tmp_path / "stranger.safetensors")]) == 2
    assert "share no training history" in capsys.readouterr().err
    assert main([str(out), str(local_weights)]) == 2
    assert "at least two models" in capsys.readouterr().err
    assert main([str(out), str(local_weights), str(local_weights), "--shares", "nan", "1"]) == 2
    assert "finite" in capsys.readouterr().err
    assert main([str(out), str(local_weights), str(local_weights), "--shares", "1"]) == 2
    assert "2 models but 1 shares" in capsys.readouterr().err
    assert main([str(local_weights), str(local_weights), str(tmp_path / "stranger.safetensors")]) == 2
    assert "one of the models" in capsys.readouterr().err        # an ingredient is never replaced
    assert main([str(out), str(local_weights), str(tmp_path / "missing.safetensors")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not out.exists()
