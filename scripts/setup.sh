#!/usr/bin/env bash
# Installs everything the project needs into the active Python (3.10+), on a fresh machine:
# system libraries Qt needs (Debian/Ubuntu, only the missing ones), PyTorch (the CPU build
# where one is on local disk), then this package. With --test, the test tools as well.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

# 1. System libraries PySide6 loads even offscreen (and for a real window: xcb).
if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  need=()
  for p in libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 \
           libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
           libxcb-render-util0 libxcb-image0 libxcb-randr0 libxcb-xinerama0; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing system libraries: ${need[*]}"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" \
      || echo "warning: could not install ${need[*]}; the app may not start" >&2
  fi
fi

# 2. PyTorch: keep an installed one; otherwise prefer 2.13.0 (a CPU build lies on disk here).
if ! "$PY" -c "import torch" >/dev/null 2>&1; then
  "$PY" -m pip install -q "torch==2.13.0" || "$PY" -m pip install -q "torch>=2.2"
fi

# 3. This project (editable: code and assets/ are used in place) and its dependencies.
"$PY" -m pip install -q -e ".${extras}"
