#!/usr/bin/env bash
# Measures the shipped models with the DESIGN.md section 4 protocol and writes docs/results/:
# sweep tables + plots (photos-val, scenes-val), the coverage experiment, and a figure.
# Scores are also recorded in each model's JSON sidecar. Levin results are cached in CACHE.
set -euo pipefail
SHARED=${SHARED:-../shared}
CACHE=${CACHE:-$HOME/colorizer-runs/eval}
OUT=docs/results
M=assets/models
mkdir -p "$OUT" "$CACHE"
colorizer-eval sweep "$SHARED/data/photos-val" --weights $M/local.safetensors $M/seed.safetensors \
  --levin-cache "$CACHE/levin-photos-val.json" --out "$OUT" --record photos-val --no-progress
colorizer-eval sweep "$SHARED/data/scenes-val" --limit 120 --weights $M/local.safetensors $M/seed.safetensors \
  --levin-cache "$CACHE/levin-scenes-val.json" --out "$OUT" --record scenes-val-120 --no-progress
colorizer-eval coverage "$SHARED/data/photos-val" --limit 20 --weights $M/local.safetensors $M/seed.safetensors \
  --levin-cache "$CACHE/levin-coverage-photos-val.json" --out "$OUT" --record coverage-photos-val-20 --no-progress
colorizer-eval figure "$SHARED/data/photos-val" --weights $M/"$(cat $M/DEFAULT)".safetensors --limit 4 --out "$OUT"
