"""
Times the inference graphs in PyTorch on the CPU: a proxy for onnxruntime, which the
server uses (issue budget: a whole tick at most ~35 ms median at batch 1, 2 threads).

  /usr/bin/python3 model/train/latency.py --config model/train/configs/small-cpu.json [--batches 1,2,4,8]

Uses the trained checkpoints from the config's out_dir when they exist, else random
weights (the cost is the same). Two columns per graph: eager PyTorch, and the module
traced, frozen and optimised for inference (oneDNN-prepacked convolutions, as
onnxruntime prepacks its own). Eager is pessimistic: Debian's torch runs batch-1
convolutions with small inputs on a slow generic-BLAS path.
"""

import argparse
import json
import time
import warnings

import torch

from graphs import GRAPHS, example_inputs, io
from train import STAGES, build_world, load_config

# optimize_for_inference's oneDNN convolutions resize their outputs; harmless, but noisy
warnings.filterwarnings("ignore", message="An output with one or more elements was resized")


def median_ms(fn, inputs, runs, warmup=5):
    with torch.no_grad():
        for _ in range(warmup):
            fn(*inputs)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn(*inputs)
            times.append(time.perf_counter() - t)
    times.sort()
    return 1000 * times[len(times) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--batches", default="1,2,4,8")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    cfg = load_config(args.config, [])
    world, data = build_world(cfg, load_checkpoints=True)
    spec = io(cfg["model"], data["height"], data["width"], data["n_actions"], data["n_slots"])
    n_params = {name: sum(p.numel() for p in getattr(world, name).parameters()) for name in STAGES}
    print(json.dumps({"params": n_params, "threads": args.threads}))
    world.eval()
    for batch in [int(b) for b in args.batches.split(",")]:
        row = {"batch": batch}
        for name, make in GRAPHS.items():
            graph, inputs = make(world).eval(), example_inputs(spec[name], batch)
            with torch.no_grad():
                frozen = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(graph, inputs)))
            row[f"{name}_ms"] = round(median_ms(graph, inputs, args.runs), 2)
            row[f"{name}_jit_ms"] = round(median_ms(frozen, inputs, args.runs), 2)
        print(json.dumps(row))


if __name__ == "__main__":
    main()
