"""
PyTorch eager timing of a trained model's step graph: the comparison column of
bench/generator.bench.ts (same graph as the ONNX export, model/train/graphs.py StepGraph;
same thread count; same batch sizes; random inputs as export.py makes them).

  /usr/bin/python3 bench/generator_torch.py --config model/train/configs/small-cpu.json
      [--set out_dir=/tmp/devmodel] [--batches 1,2,4,8] [--threads 2] [--runs 50]

Prints one JSON document. Without torch or without the three stage checkpoints in the
config's out_dir it prints {"skipped": reason} and exits 0 (CI has no checkpoints).
`check` is the step graph's latent for all-zero inputs at batch 1, so the caller can
tell that the ONNX model it timed is this model.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model", "train"))

CHECK_VALUES = 16  # leading latent values compared against onnxruntime


def skip(reason):
    print(json.dumps({"skipped": reason}))
    sys.exit(0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--batches", default="1,2,4,8")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()

    try:
        import torch
    except ImportError as error:
        skip(f"PyTorch is not installed for {sys.executable} ({error})")
    from train import STAGES, build_world, checkpoint_path, load_config
    from graphs import StepGraph, example_inputs, io
    from export import random_inputs
    from latency import median_ms

    if not os.path.exists(args.config):
        skip(f"no training config at {args.config}")
    cfg = load_config(args.config, args.set)
    missing = [checkpoint_path(cfg, s) for s in STAGES if not os.path.exists(checkpoint_path(cfg, s))]
    if missing:
        skip(f"no trained checkpoints: {', '.join(missing)} missing")

    torch.set_num_threads(args.threads)
    world, data = build_world(cfg, load_checkpoints=True)
    world.eval()
    spec = io(cfg["model"], data["height"], data["width"], data["n_actions"], data["n_slots"])["step"]
    graph = StepGraph(world).eval()
    with torch.no_grad():
        latent, _ = graph(*example_inputs(spec, 1))
    rows = []
    gen = torch.Generator().manual_seed(0)
    for batch in [int(b) for b in args.batches.split(",")]:
        rows.append({"batch": batch, "ms": median_ms(graph, random_inputs(spec, batch, data, gen), args.runs)})
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(json.dumps({
        "model": {"name": cfg["name"], "version": cfg["version"], "outDir": cfg["out_dir"]},
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "runs": args.runs,
        "rows": rows,
        "check": latent.flatten()[:CHECK_VALUES].tolist(),
    }))


if __name__ == "__main__":
    main()
