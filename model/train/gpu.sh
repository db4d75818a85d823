#!/usr/bin/env bash
# Trains the larger generator (configs/gpu.json: wider U-Net, bigger batches, every stage
# capped by max_minutes so all three fit one run of under 10 minutes) on a CUDA machine
# with PyTorch and no internet, then exports it. Resumable: a second run continues.
#
#   bash model/train/gpu.sh [DATA_DIR] [EXPORT_DIR] [--set KEY=VALUE ...]
#
# DATA_DIR (default model/data/v1) is a dataset made here by model/dataset/cli.ts (the
# device has no Node); DATA_DIR.tar.xz is unpacked first when only it is there (make it
# with `tar -C model/data -cJf model/data/v1.tar.xz v1`). EXPORT_DIR defaults to $OUT/export
# when $OUT is set (the device tool's output folder), else <out_dir>/export.
# Tiny CPU check of the script: bash model/train/gpu.sh model/data/smoke /tmp/gpu-export \
#   --set device=cpu --set base.steps=2 --set instruct.steps=2 --set start.steps=2
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
data=${1:-model/data/v1}
export_dir=${2:-${OUT:+$OUT/export}}
shift $(($# < 2 ? $# : 2))
if [[ ! -f $data/manifest.json && -f $data.tar.xz ]]; then
  echo "[gpu] unpacking $data.tar.xz" >&2
  tar -C "$(dirname "$data")" -xJf "$data.tar.xz"
fi
config=model/train/configs/gpu.json
set -x
"$PYTHON" model/train/train.py --config "$config" --set "data=$data" --resume "$@"
"$PYTHON" model/train/export.py --config "$config" --set "data=$data" "$@" ${export_dir:+--out "$export_dir"}
