"""Weights files: safetensors + JSON sidecar, and import of torchvision VGG16 weights.

A model is two files: ``name.safetensors`` (tensors, float16 for shipping) and
``name.json`` (architecture config, normalisation constants, provenance, scores, and the
SHA-256 of the tensors file, so a pair that does not belong together - e.g. an export
killed between its two renames, or a copied-over file - is refused instead of loaded).
Loading never unpickles: safetensors is plain data, and the only ``torch.load``
here (torchvision's own ``.pth``) uses ``weights_only=True``.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

from .atomic import atomic_path, file_sha256, write_failure_reason, write_text_atomic
from .color import NORMALIZATION
from .auto_models import AUTO_SYSTEMS, AutoConfig, build_auto_model
from .models import VGG_CONV_INDICES, VGG_CONV_SHAPES, ColorizationModel, ModelConfig

FORMAT = "colorizer-weights"
FORMAT_VERSION = 1


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names the file and the problem."""


def sidecar_path(path: str | Path) -> Path:
    return Path(path).with_suffix(".json")


def model_from_config(config: dict):
    """A fresh model of the family and architecture a sidecar's ``config`` describes.

    The automatic systems (:mod:`net.auto_models`) are named by their ``variant``; anything
    else is RTNet + HNet (``seed``/``local``). Raises TypeError/ValueError for a bad config.
    """
    if not isinstance(config, dict):
        raise ValueError("config must be a JSON object")
    if config.get("variant") in AUTO_SYSTEMS:
        return build_auto_model(AutoConfig.from_dict(config))
    return ColorizationModel(ModelConfig.from_dict(config))


INT8_MIN_VALUES = 65536   # convolution weights at least this large are stored as int8


def _state_for_saving(model: ColorizationModel, dtype, keep_float=frozenset()) -> dict[str, torch.Tensor]:
    """float16 tensors; large convolution weights as int8 with a per-output-channel scale.

    The int8 part (``K.int8`` + ``K.scale``) keeps the shipped file small: the VGG16
    convolutions are most of the model. Rounding error is at most half a step of each
    output channel's range (max |w| / 127), and measured scores include it. Names in
    ``keep_float`` stay float16: a pretrained convolution fine-tuned at a low learning rate
    moves by less than that step, and rounding would undo most of the tuning.
    """
    out = {}
    for k, v in model.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        v = v.detach().to("cpu")
        if (dtype is not None and v.is_floating_point() and v.dim() == 4
                and v.numel() >= INT8_MIN_VALUES and k not in keep_float):
            scale = v.float().abs().amax(dim=(1, 2, 3)).clamp_min(1e-12) / 127.0
            out[k + ".int8"] = (v.float() / scale.view(-1, 1, 1, 1)).round().clamp(-127, 127) \
                .to(torch.int8).contiguous()
            out[k + ".scale"] = scale.contiguous()
            continue
        if v.is_floating_point() and dtype is not None:
            v = v.to(dtype)
        out[k] = v.contiguous()
    return out


def _dequantize(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Undo :func:`_state_for_saving`'s int8 storage (a file without int8 parts is unchanged)."""
    out = {k: v for k, v in tensors.items() if not k.endswith((".int8", ".scale"))}
    for k, q in tensors.items():
        if k.endswith(".int8"):
            name = k[:-len(".int8")]
            scale = tensors.get(name + ".scale")
            if scale is None or scale.dim() != 1 or scale.numel() != q.shape[0]:
                raise ValueError(f"{name}: int8 tensor without a matching per-channel scale")
            out[name] = q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))
    return out


def check_weights_path(path: str | Path) -> Path:
    """``path`` as a Path if it can name a weights file (``.safetensors``), else WeightsError."""
    path = Path(path)
    if path.suffix != ".safetensors":
        raise WeightsError(f"{path}: weights files must end in .safetensors")
    return path


def float_tensors(meta: dict) -> set[str]:
    """The large convolutions a weights file keeps in float16 instead of int8 (its sidecar's
    ``float_tensors``): whatever is saved from it keeps them so too."""
    names = meta.get("float_tensors") or []
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def save_model(model: ColorizationModel, path: str | Path, meta: dict | None = None,
               dtype=torch.float16, keep_float=()) -> Path:
    """Write ``path`` (safetensors) and its JSON sidecar, each atomically.

    ``keep_float``: state-dict names of large convolutions to store as float16, not int8
    (recorded in the sidecar as ``float_tensors``, see :func:`float_tensors`).
    """
    from safetensors.torch import save_file

    path = check_weights_path(path)
    sidecar = dict(meta or {})
    keep = sorted(set(keep_float) & set(model.state_dict()))
    sidecar.pop("float_tensors", None)
    if keep and dtype is not None:
        sidecar["float_tensors"] = keep
    sidecar.update({"format": FORMAT, "version": FORMAT_VERSION,
                    "variant": model.cfg.variant, "config": model.cfg.to_dict(),
                    "normalization": NORMALIZATION,
                    "dtype": str(dtype).replace("torch.", "") if dtype else "float32"})
    tensors = _state_for_saving(model, dtype, frozenset(keep))
    try:
        with atomic_path(path) as tmp:
            save_file(tensors, str(tmp), metadata={"format": FORMAT, "variant": model.cfg.variant})
            sidecar["tensors_sha256"] = file_sha256(tmp)
        write_sidecar(path, sidecar)
    except OSError as e:
        raise WeightsError(f"could not write {path.name}: {write_failure_reason(e)}") from None
    return path


def write_sidecar(path: str | Path, meta: dict) -> None:
    """Write the JSON sidecar of weights file ``path`` (atomically), e.g. with scores added to
    what :func:`read_sidecar` returned."""
    write_text_atomic(sidecar_path(path), json.dumps(meta, indent=2, sort_keys=True) + "\n")


def read_sidecar(path: str | Path) -> dict:
    path = Path(path)
    side = sidecar_path(path)
    if not side.is_file():
        raise WeightsError(f"{path.name}: not a model of this app: its description file "
                           f"{side.name}, which every model it writes has, is missing")
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WeightsError(f"{side.name}: not a readable JSON description ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise WeightsError(f"{side.name}: not a colorizer weights description")
    if meta.get("version") != FORMAT_VERSION:
        raise WeightsError(f"{side.name}: unsupported format version {meta.get('version')!r}")
    norm = meta.get("normalization")
    if norm != NORMALIZATION:
        raise WeightsError(f"{side.name}: the model was trained with different colour "
                           f"normalisation ({norm}) than this program uses ({NORMALIZATION})")
    return meta


def load_model(path: str | Path, device: str | torch.device = "cpu"
               ) -> tuple[ColorizationModel, dict]:
    """Load a model and its sidecar; any problem raises :class:`WeightsError`."""
    from safetensors import SafetensorError
    from safetensors.torch import load as load_tensors

    path = Path(path)
    if path.is_dir():
        raise WeightsError(f"{path}: is a folder, not a weights file")
    if not path.is_file():
        raise WeightsError(f"{path}: weights file not found")
    if path.suffix != ".safetensors":
        raise WeightsError(f"{path.name}: only .safetensors weights are accepted "
                           "(pickle-based .pt/.pth files can run code when loaded)")
    meta = read_sidecar(path)
    try:
        model = model_from_config(meta.get("config") or {})
    except (TypeError, ValueError) as e:
        raise WeightsError(f"{sidecar_path(path).name}: invalid model config ({e})") from None
    cfg = model.cfg
    if meta.get("variant") != cfg.variant:
        raise WeightsError(f"{sidecar_path(path).name}: says variant {meta.get('variant')!r} "
                           f"but its config says {cfg.variant!r}")
    try:
        data = path.read_bytes()                       # read once: checksum and tensors
    except OSError as e:
        raise WeightsError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    want_sha = meta.get("tensors_sha256")
    if want_sha is not None and hashlib.sha256(data).hexdigest() != want_sha:
        raise WeightsError(f"{path.name}: does not match its description {sidecar_path(path).name} "
                           "(checksum differs: one of the two files was replaced or an export was "
                           "interrupted); export the model again")
    try:
        tensors = _dequantize(load_tensors(data))
    except (SafetensorError, ValueError, RuntimeError) as e:
        raise WeightsError(f"{path.name}: not a valid safetensors file ({e})") from None
    expected = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} tensors missing (e.g. {missing[0]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected tensors (e.g. {unexpected[0]})")
        raise WeightsError(f"{path.name}: does not match the {cfg.variant!r} model described by "
                           f"its sidecar: {'; '.join(parts)}")
    for k, v in expected.items():
        t = tensors[k]
        if tuple(t.shape) != tuple(v.shape):
            raise WeightsError(f"{path.name}: tensor {k} has shape {tuple(t.shape)}, "
                               f"the model expects {tuple(v.shape)}")
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise WeightsError(f"{path.name}: tensor {k} contains NaN or infinite values")
    model.load_state_dict({k: t.float() if t.is_floating_point() else t
                           for k, t in tensors.items()}, strict=False)
    model.eval().to(device)
    return model, meta


def read_vgg16_features(path: str | Path, layers: int = len(VGG_CONV_INDICES)
                        ) -> dict[str, torch.Tensor]:
    """torchvision-layout VGG16 weights (``features.N.weight``) from safetensors or a torchvision .pth.

    Accepts ``features.*`` keys (torchvision's ``vgg16().state_dict()``) or bare ``N.weight``
    keys (``vgg16().features.state_dict()``). Returns ``{index: (weight, bias)}`` keyed by layer,
    for the first ``layers`` convolutions (7: conv1_1..conv3_3, 13: up to conv5_3).
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: VGG16 weights file not found")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file
            sd = load_file(str(path))
        else:
            sd = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any failure to parse means a bad file
        raise WeightsError(f"{path.name}: cannot read VGG16 weights ({type(e).__name__}: {e})") from None
    if not isinstance(sd, dict):
        raise WeightsError(f"{path.name}: expected a state dict of tensors")
    out = {}
    for idx, (co, ci) in list(zip(VGG_CONV_INDICES, VGG_CONV_SHAPES))[:layers]:
        for prefix in ("features.", ""):
            wk, bk = f"{prefix}{idx}.weight", f"{prefix}{idx}.bias"
            if wk in sd and bk in sd:
                break
        else:
            have = "" if layers <= 10 else " (a model with semantic features needs all 13 " \
                "convolutions, conv1_1..conv5_3)"
            raise WeightsError(f"{path.name}: no VGG16 layer features.{idx} "
                               f"(expected torchvision vgg16 key layout){have}")
        w, b = sd[wk], sd[bk]
        if tuple(w.shape) != (co, ci, 3, 3) or tuple(b.shape) != (co,):
            raise WeightsError(f"{path.name}: features.{idx} has shape {tuple(w.shape)}, "
                               f"VGG16 has {(co, ci, 3, 3)}")
        out[idx] = (w.float(), b.float())
    return out


def import_vgg16(model: ColorizationModel, path: str | Path) -> None:
    """Copy torchvision VGG16 convolutions (as many as the gray branch has) into it."""
    if model.vgg is None:
        raise WeightsError(f"the {model.cfg.variant} system has no VGG16 part to load {Path(path).name} into")
    layers = read_vgg16_features(path, len(model.vgg.convs))
    with torch.no_grad():
        for conv, idx in zip(model.vgg.convs, VGG_CONV_INDICES):
            w, b = layers[idx]
            conv.weight.copy_(w)
            conv.bias.copy_(b)
