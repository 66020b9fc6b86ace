#!/usr/bin/env bash
# Wheel smoke test (CI): build the wheel, install it into a fresh virtual environment outside the
# checkout and use it from there, as a user who ran `pip install hint-colorizer` would.
#
#   1. copies the checkout's files (tracked and untracked, not ignored) to a temporary folder
#      and builds the wheel there (the checkout gets no build/ or egg-info);
#   2. scripts/check_wheel.py: every file of assets/ and every module is in the wheel, unchanged;
#   3. a new venv gets the wheel with --no-deps; afterwards the dependencies (torch, numpy, ...)
#      come from the current Python's site-packages through a .pth file (after the venv's own),
#      which adds those folders without running their .pth hooks, so the editable install of
#      this checkout stays invisible;
#   4. from a temporary folder, with the checkout on no path: `colorizer --version` (and the
#      two other commands), `colorizer colorize` of a bundled sample with a hints file, and
#      `Colorizer.load()` of every bundled model; it asserts that the code, the weights and the
#      samples all come from the venv.
# Any failure exits non-zero. KEEP=1 keeps the temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PYTHON:-python3}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/colorizer-wheel.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "wheel smoke: keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
step() { echo "wheel smoke: $*"; }

# 1. Build from a copy of the checkout.
step "building the wheel"
mkdir -p "$WORK/src" "$WORK/dist" "$WORK/run"
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$WORK/src"
isolation=()
# Build with the installed setuptools when it is new enough (works offline); else pip fetches one.
"$PY" -c "import setuptools, sys; sys.exit(int(setuptools.__version__.split('.')[0]) < 61)" \
  2>/dev/null && isolation=(--no-build-isolation)
"$PY" -m pip wheel -q --no-deps "${isolation[@]}" -w "$WORK/dist" "$WORK/src"
WHEEL=$(ls "$WORK"/dist/hint_colorizer-*.whl)
step "built $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"

# 2. Contents.
# Against the copy that was built: the checkout may change meanwhile (people at work in it).
"$PY" scripts/check_wheel.py "$WHEEL" "$WORK/src"

# 3. A fresh venv outside the checkout.
step "installing into a fresh venv"
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
# Install before the .pth below exists: pip then sees no other copy of the package.
"$VPY" -m pip install -q --no-deps --force-reinstall --no-index "$WHEEL"
VSITE=$("$VPY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
"$PY" - "$REPO" > "$VSITE/_colorizer_smoke_deps.pth" <<'EOF'
import site, sys, sysconfig
from pathlib import Path
repo = Path(sys.argv[1]).resolve()
dirs = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
if site.ENABLE_USER_SITE:
    dirs.append(site.getusersitepackages())
for d in dict.fromkeys(dirs):
    p = Path(d).resolve()
    if p.is_dir() and p != repo:
        print(p)
EOF

# 4. Use it from elsewhere.
cd "$WORK/run"
unset PYTHONPATH COLORIZER_ASSETS
export PYTHONNOUSERSITE=1 PATH="$WORK/venv/bin:$PATH"
WANT=$(basename "$WHEEL" | cut -d- -f2)
for cmd in colorizer colorizer-train colorizer-eval colorizer-soup; do
  got=$("$WORK/venv/bin/$cmd" --version)
  step "$cmd --version: $got"
  [ "$got" = "$cmd $WANT" ] || { echo "wheel smoke: expected '$cmd $WANT'" >&2; exit 1; }
done

"$VPY" - "$REPO" "$WORK/venv" <<'EOF'
import json, sys
from pathlib import Path
repo, venv = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
bad = [p for p in sys.path if p and Path(p).resolve() == repo]
assert not bad, f"the checkout is on sys.path: {bad}"
import colorizer_assets, net
from net.assets import assets_dir, bundled_models, sample_photo
for what, where in [("net", net.__file__), ("colorizer_assets", colorizer_assets.__file__),
                    ("assets_dir()", assets_dir())]:
    assert venv in Path(where).resolve().parents, f"{what} comes from {where}, not the venv"
assert sample_photo().is_file(), f"no sample photo at {sample_photo()}"
# Hints for the sample: a red and a blue circle (image pixel coordinates).
session = {"format": "colorizer-session", "version": 1, "image": str(sample_photo()),
           "hints": [{"x": 150, "y": 120, "radius": 15, "rgb": [220, 30, 30]},
                     {"x": 380, "y": 400, "radius": 15, "rgb": [30, 60, 220]}]}
Path("sample.colorize.json").write_text(json.dumps(session), encoding="utf-8")
Path("sample.txt").write_text(f"{sample_photo()}\n{' '.join(bundled_models())}\n", encoding="utf-8")
print(f"wheel smoke: code and assets from {venv}; bundled models: {', '.join(bundled_models())}")
EOF
SAMPLE=$(sed -n 1p sample.txt)
colorizer colorize "$SAMPLE" --hints sample.colorize.json -o out.png --device cpu

"$VPY" - <<'EOF'
from net import Colorizer, load_image
from net.assets import bundled_models, resolve_model_path, sample_photo
from net.image_io import has_color
c = Colorizer.load()
print(f"wheel smoke: Colorizer.load() -> {c.name} from {c.path}")
for name in bundled_models():
    assert Colorizer.load(name, device="cpu").path == resolve_model_path(name)
src, out = load_image(sample_photo()), load_image("out.png")
assert out.rgb.shape == src.rgb.shape, (out.rgb.shape, src.rgb.shape)
assert has_color(out.rgb), "colorize wrote a gray picture"
r, g, b = (int(v) for v in out.rgb[120, 150])
assert r > b + 20, f"the red hint did not colour its point: {(r, g, b)}"
print(f"wheel smoke: out.png {out.rgb.shape[1]}x{out.rgb.shape[0]}, colour at the red hint {(r, g, b)}")
EOF
step "passed"
