#!/usr/bin/env bash
# Measures the shipped models with the evaluation protocol (docs/DESIGN.md) and writes docs/results/:
# sweep tables + plots (photos-val, scenes-val), the coverage experiment, and a figure. The previous
# default (local v2, taken from git history) is measured beside them. Scores are also recorded in each
# shipped model's JSON sidecar. Levin results are cached in CACHE (keyed on photo and hints).
set -euo pipefail
SHARED=${SHARED:-../shared}
CACHE=${CACHE:-$HOME/colorizer-runs/eval}
OUT=docs/results
M=assets/models
mkdir -p "$OUT" "$CACHE"
PREV="$CACHE/local-v2.safetensors"          # the previous default, from git history
if [ ! -f "$PREV" ]; then
  git show 8a18f81:assets/models/local.safetensors > "$PREV.tmp" && mv "$PREV.tmp" "$PREV"
  git show 8a18f81:assets/models/local.json > "$CACHE/local-v2.json"
fi
NETS="$M/local.safetensors $PREV $M/seed.safetensors"
# --record stores each model's scores in its sidecar (the copy of v2 in CACHE gets them too)
colorizer-eval sweep "$SHARED/data/photos-val" --weights $NETS \
  --levin-cache "$CACHE/levin-photos-val.json" --out "$OUT" --record photos-val --no-progress
colorizer-eval sweep "$SHARED/data/scenes-val" --limit 120 --weights $NETS \
  --levin-cache "$CACHE/levin-scenes-val.json" --out "$OUT" --record scenes-val-120 --no-progress
colorizer-eval coverage "$SHARED/data/photos-val" --limit 20 --weights $M/local.safetensors $PREV $M/seed.safetensors \
  --levin-cache "$CACHE/levin-coverage-photos-val.json" --out "$OUT" --no-progress
colorizer-eval figure "$SHARED/data/photos-val" --weights $M/"$(cat $M/DEFAULT)".safetensors --limit 4 --out "$OUT"
