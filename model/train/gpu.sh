#!/usr/bin/env bash
# Trains the larger generator (configs/gpu.json: wider U-Net, bigger batches, every stage
# capped by max_minutes so all three fit one run of under 10 minutes) on a CUDA machine
# with PyTorch and no internet, then exports it. Resumable: a second run continues.
#
#   bash model/train/gpu.sh [DATA_DIR] [EXPORT_DIR] [--set KEY=VALUE ...]
#
# DATA_DIR (default model/data/v1) is a dataset made here by model/dataset/cli.ts and
# PAIRS_DIR (environment; default look-pairs beside DATA_DIR) the grade's look pairs made
# by model/dataset/look-pairs.ts: the device has no Node, so both travel from here. Each
# is unpacked from DIR.tar.xz first when only that is there (make them with
# `tar -C model/data -cJf model/data/v1.tar.xz v1`, the same for look-pairs). EXPORT_DIR
# defaults to $OUT/export when $OUT is set (the device tool's output folder), else
# <out_dir>/export.
# Tiny CPU check of the script: PAIRS_DIR=model/data/look-pairs-smoke bash model/train/gpu.sh \
#   model/data/smoke /tmp/gpu-export --set device=cpu --set base.steps=2 \
#   --set instruct.steps=2 --set start.steps=2 --set model.particles.bank=4
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
data=${1:-model/data/v1}
export_dir=${2:-${OUT:+$OUT/export}}
shift $(($# < 2 ? $# : 2))
pairs=${PAIRS_DIR:-$(dirname "$data")/look-pairs}
for dir in "$data" "$pairs"; do
  if [[ ! -f $dir/manifest.json && -f $dir.tar.xz ]]; then
    echo "[gpu] unpacking $dir.tar.xz" >&2
    tar -C "$(dirname "$dir")" -xJf "$dir.tar.xz"
  fi
done
config=model/train/configs/gpu.json
inputs=(--set "data=$data" --set "model.grade.pairs=$pairs")
set -x
"$PYTHON" model/train/train.py --config "$config" "${inputs[@]}" --resume "$@"
"$PYTHON" model/train/export.py --config "$config" "${inputs[@]}" "$@" ${export_dir:+--out "$export_dir"}
