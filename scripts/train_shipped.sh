#!/usr/bin/env bash
# Trains the two shipped models on the shared corpus (../shared), as recorded in
# assets/models/*.json. Run from the repository root; RUNS holds checkpoints
# (outside git). Re-running resumes each stage from its checkpoint.
set -euo pipefail
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-$HOME/colorizer-runs}
VGG=$SHARED/pretrained/vgg16_features_conv1_1-conv4_3.safetensors
DATA="$SHARED/data/photos-train:1 $SHARED/data/scenes-train:1"
VAL="$SHARED/data/photos-val"
LOCAL_STEPS=${LOCAL_STEPS:-6000}
RTNET_STEPS=${RTNET_STEPS:-1200}
HNET_STEPS=${HNET_STEPS:-600}
COMMON="--size 128 --batch 16 --workers 1 --threads 2 --val-every 250 --ckpt-every 100 --no-progress"

stage() {  # stage NAME OUTDIR ARGS...: fresh run, or resume when a checkpoint exists
  local name=$1 out=$2; shift 2
  if [ -f "$out/model.safetensors" ]; then echo "$name: done ($out)"; return; fi
  local resume=""; [ -f "$out/checkpoint.pt" ] && resume=--resume
  colorizer-train "$name" --out "$out" $resume "$@"
}

stage local "$RUNS/local" --data $DATA --val $VAL --vgg "$VGG" --steps "$LOCAL_STEPS" $COMMON
stage rtnet "$RUNS/seed-rtnet" --data $DATA --val $VAL --vgg "$VGG" --steps "$RTNET_STEPS" $COMMON
stage hnet "$RUNS/seed-hnet" --data $DATA --val $VAL --init "$RUNS/seed-rtnet/model.safetensors" \
  --steps "$HNET_STEPS" --lr 3e-4 $COMMON
mkdir -p assets/models
cp "$RUNS/local/model.safetensors" assets/models/local.safetensors
cp "$RUNS/local/model.json" assets/models/local.json
cp "$RUNS/seed-hnet/model.safetensors" assets/models/seed.safetensors
cp "$RUNS/seed-hnet/model.json" assets/models/seed.json
echo "all stages done; models copied to assets/models (run scripts/evaluate_shipped.sh next)"
