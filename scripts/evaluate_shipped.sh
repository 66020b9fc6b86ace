#!/usr/bin/env bash
# Measures the shipped models with the evaluation protocol (docs/DESIGN.md) and writes docs/results/:
# sweep tables + plots (photos-val, scenes-val), the default model without its residual correction
# (the ablation, docs/results/no-correction/), the coverage experiment, and a figure. Scores are
# recorded in each shipped model's JSON sidecar. Levin results are cached in CACHE (keyed on photo
# and hints).
set -euo pipefail
SHARED=${SHARED:-../shared}
CACHE=${CACHE:-$HOME/colorizer-runs/eval}
OUT=docs/results
M=assets/models
mkdir -p "$OUT" "$CACHE"
NETS="$M/local.safetensors $M/seed.safetensors"
# --record stores each model's scores in its sidecar
colorizer-eval sweep "$SHARED/data/photos-val" --weights $NETS \
  --levin-cache "$CACHE/levin-photos-val.json" --out "$OUT" --record photos-val --no-progress
colorizer-eval sweep "$SHARED/data/scenes-val" --limit 120 --weights $NETS \
  --levin-cache "$CACHE/levin-scenes-val.json" --out "$OUT" --record scenes-val-120 --no-progress
for set in "photos-val" "scenes-val --limit 120"; do
  colorizer-eval sweep "$SHARED/data/"$set --weights $M/local.safetensors --no-hint-correction \
    --no-levin --out "$OUT/no-correction" --no-progress
done
colorizer-eval coverage "$SHARED/data/photos-val" --limit 20 --weights $NETS \
  --levin-cache "$CACHE/levin-coverage-photos-val.json" --out "$OUT" --no-progress
colorizer-eval figure "$SHARED/data/photos-val" --weights $M/"$(cat $M/DEFAULT)".safetensors --limit 4 --out "$OUT"
