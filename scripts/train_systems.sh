#!/usr/bin/env bash
# The side-by-side comparison of issue 11: the four automatic systems our design draws on
# (autoencoder, koala, zhang, pix2pix) plus seed and local, each trained from scratch on the
# same data for the same wall-clock budget, then evaluated with colorizer-eval on photos-val
# and scenes-val (PSNR at 0 hints, colourfulness beside the ground truth's, share of nearly
# gray results). Run from the repository root; re-running resumes unfinished runs.
#
#   MINUTES=30 scripts/train_systems.sh            # the comparison (about 3.5 hours on 2 cores)
#   SYSTEMS="autoencoder zhang" MINUTES=5 scripts/train_systems.sh
#
# Each run's learning-rate schedule (and pix2pix's switch from MSE to the GAN phase at a third)
# follows its time budget (--time-limit), so every system gets a complete schedule in the same
# wall time; STEPS only caps a run that would be faster than the budget.
set -euo pipefail
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-$HOME/colorizer-runs/systems}
OUT=${OUT:-docs/results/systems}
MINUTES=${MINUTES:-30}
STEPS=${STEPS:-1000000}
SIZE=${SIZE:-128}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-0}              # photos per training folder (0: all)
PHOTOS_VAL_LIMIT=${PHOTOS_VAL_LIMIT:-0}      # 0: all 60 photos of photos-val
SCENES_VAL_LIMIT=${SCENES_VAL_LIMIT:-120}    # as the README's tables: 120 of the 300, evenly spread
SYSTEMS=${SYSTEMS:-"autoencoder koala zhang pix2pix local seed"}
VGG=$SHARED/pretrained/vgg16_features_conv1_1-conv5_3.safetensors
VGG_SEED=$SHARED/pretrained/vgg16_features_conv1_1-conv4_3.safetensors
DATA="$SHARED/data/photos-train:1 $SHARED/data/scenes-train:1"
VAL="$SHARED/data/photos-val"
COMMON="--size $SIZE --batch 16 --workers 1 --threads $THREADS --val-every 250 --ckpt-every 100
        --no-progress --limit $LIMIT --data $DATA --val $VAL"

train() {  # train NAME STAGE MINUTES ARGS...: fresh run, or resume when a checkpoint exists
  local name=$1 stage=$2 minutes=$3; shift 3
  local out="$RUNS/$name"
  if [ -f "$out/model.safetensors" ]; then echo "$name: done ($out)"; return; fi
  local resume=""; [ -f "$out/checkpoint.pt" ] && resume=--resume
  colorizer-train "$stage" --out "$out" $resume --time-limit "$minutes" --steps "$STEPS" $COMMON "$@"
}

weights=()
for s in $SYSTEMS; do
  case $s in
    autoencoder) train autoencoder autoencoder "$MINUTES" ;;
    koala|zhang|pix2pix) train "$s" "$s" "$MINUTES" --vgg "$VGG" ;;
    local) train local local "$MINUTES" --vgg "$VGG" ;;
    seed)  # the paper's two stages share the budget: RTNet with CNN1 (2/3), then HNet distilled (1/3)
      train seed-rtnet rtnet "$(python3 -c "print($MINUTES * 2 / 3)")" --vgg "$VGG_SEED"
      train seed hnet "$(python3 -c "print($MINUTES / 3)")" --init "$RUNS/seed-rtnet/model.safetensors" --lr 3e-4 ;;
    *) echo "unknown system $s" >&2; exit 2 ;;
  esac
  weights+=("$RUNS/$s/model.safetensors")
done

# colorizer-eval names a model by its file name: give each run's export the system's name
mkdir -p "$OUT"
named=()
for w in "${weights[@]}"; do
  n=$(basename "$(dirname "$w")")
  cp "$w" "$RUNS/$n.safetensors"; cp "${w%.safetensors}.json" "$RUNS/$n.json"
  named+=("$RUNS/$n.safetensors")
done
for spec in "photos-val:$PHOTOS_VAL_LIMIT" "scenes-val:$SCENES_VAL_LIMIT"; do
  folder=${spec%%:*}
  colorizer-eval sweep "$SHARED/data/$folder" --weights "${named[@]}" --levels 0 --no-levin \
    --metrics --limit "${spec##*:}" --out "$OUT" --no-progress | tee "$OUT/sweep-$folder.md"
done
colorizer-eval figure "$SHARED/data/photos-val" --weights "${named[@]}" --limit 4 --levels 0 --out "$OUT"
echo "results in $OUT"
