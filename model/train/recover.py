"""
Recovers a shipped model's trained weights from its ONNX graphs into training
checkpoints, so a later recipe can fine-tune it (its `init`) when the original
checkpoints are gone.

  /usr/bin/python3 model/train/recover.py --model model/shipped \
      --config model/train/configs/small-cpu.json --out model/out/warp-0.2.0

`--config` must describe the model's shape (the config it was trained with). Named
parameters are read by their ONNX initializer names; the GroupNorm scales and shifts,
which torch's exporter folds into anonymous Mul/Add constants, are matched to the norms
in the order the graph runs them. Every parameter must be found with its shape, and the
recovered model exported again must give exactly the same initializers as the original
graph, or nothing is written. Writes base.pt, instruct.pt and start.pt as finished
checkpoints (steps and metrics from the manifest's `training`).
"""

import argparse
import io as bytes_io
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from export import export_graph
from graphs import GRAPHS, io
from model import WorldModel
from train import DEPENDS, STAGES, load_config, save_checkpoint

PREFIX = {"step": "world.", "start": "start."}  # what the graph wrappers call the modules


def model_data(manifest):
    """The checkpoint's `data` record, from the model's manifest (no dataset needed)."""
    slots = manifest["instructions"]["slotOrder"]
    values = manifest["instructions"]["slots"]
    return {
        "fps": manifest["fps"], "height": manifest["frame"]["height"], "width": manifest["frame"]["width"],
        "actionKeys": manifest["actions"]["keys"], "slotOrder": slots, "instructionSlots": values,
        "spec": manifest["training"]["dataset"], "n_actions": len(manifest["actions"]["keys"]),
        "n_slots": len(slots), "slot_sizes": [len(values[s]) for s in slots],
    }


def norm_order(graph, inputs):
    """The GroupNorm modules of a graph wrapper in the order a forward pass runs them."""
    order = []
    hooks = [m.register_forward_hook(lambda mod, i, o: order.append(mod))
             for m in graph.modules() if isinstance(m, nn.GroupNorm)]
    with torch.no_grad():
        graph(*inputs)
    for h in hooks:
        h.remove()
    return order


def folded_affines(model):
    """The anonymous [C, 1, 1] constants multiplied and added in graph order: the norms'
    scales and shifts, as (scale, shift) pairs."""
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    seq = []
    for node in model.graph.node:
        for name in node.input:
            if name.startswith("onnx::") and name in inits and inits[name].ndim == 3 \
                    and inits[name].shape[1:] == (1, 1) and node.op_type in ("Mul", "Add"):
                seq.append((node.op_type, inits[name]))
    pairs = []
    for k in range(0, len(seq), 2):
        (op1, scale), (op2, shift) = seq[k], seq[k + 1]
        if (op1, op2) != ("Mul", "Add"):
            raise SystemExit(f"folded norm constants out of order at {k}: {op1}, {op2}")
        pairs.append((scale, shift))
    return inits, pairs


def recover_graph(name, graph, path, example):
    """Loads graph `name`'s weights from the ONNX file at `path` into the wrapper `graph`."""
    model = onnx.load(path)
    inits, pairs = folded_affines(model)
    state = graph.state_dict()
    params = dict(graph.named_parameters())
    found = set()
    for key in state:
        if key in inits:
            value = torch.from_numpy(inits[key].copy())
            if value.shape != state[key].shape:
                raise SystemExit(f"{name}: {key} has shape {list(value.shape)} in the graph, {list(state[key].shape)} here")
            state[key] = value
            found.add(key)
    norms = norm_order(graph, example)
    if len(norms) != len(pairs):
        raise SystemExit(f"{name}: {len(pairs)} folded norms in the graph, {len(norms)} GroupNorms here")
    names = {m: k for k, m in graph.named_modules()}
    for module, (scale, shift) in zip(norms, pairs):
        key = names[module]
        for suffix, value in (("weight", scale), ("bias", shift)):
            value = torch.from_numpy(value.reshape(-1).copy())
            if value.shape != state[f"{key}.{suffix}"].shape:
                raise SystemExit(f"{name}: {key}.{suffix} shape {list(value.shape)} vs {list(state[f'{key}.{suffix}'].shape)}")
            state[f"{key}.{suffix}"] = value
            found.add(f"{key}.{suffix}")
    unused = ("world.start.",)  # the step graph does not run StartNet
    missing = sorted(k for k in params if k not in found and not k.startswith(unused))
    if missing:
        raise SystemExit(f"{name}: parameters not found in {path}: {missing[:8]}{' ...' if len(missing) > 8 else ''}")
    graph.load_state_dict(state)
    return len(found)


def same_initializers(graph, spec, data, path):
    """Exports the recovered wrapper again; its initializers must equal the original's."""
    buffer = bytes_io.BytesIO()
    export_graph(graph, spec, data, buffer)
    again = {i.name: numpy_helper.to_array(i) for i in onnx.load_from_string(buffer.getvalue()).graph.initializer}
    original = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    if set(again) != set(original):
        return f"initializer names differ: {sorted(set(again) ^ set(original))[:6]}"
    worst = max(float(np.abs(again[k].astype(np.float64) - original[k]).max()) if again[k].size else 0.0
                for k in original)
    return None if worst == 0.0 else f"largest initializer difference {worst}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="model folder (manifest.json, step.onnx, start.onnx)")
    p.add_argument("--config", required=True, help="the config the model was trained with (its shape)")
    p.add_argument("--out", required=True, help="run folder to write the checkpoints into")
    args = p.parse_args()

    with open(os.path.join(args.model, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("formatVersion") != 2:
        raise SystemExit("only format 2 models (step + start graphs) can be recovered")
    cfg = load_config(args.config, [f"out_dir={json.dumps(args.out)}"])
    data = model_data(manifest)
    torch.manual_seed(0)
    world = WorldModel(cfg["model"], data["height"], data["width"], data["n_actions"], data["slot_sizes"],
                       data["slotOrder"]).eval()
    m = cfg["model"]
    spec = io(m, data["height"], data["width"], data["n_actions"], data["n_slots"])
    for name in ("step", "start"):
        graph = GRAPHS[name](world).eval()
        path = os.path.join(args.model, manifest["graphs"][name]["file"])
        example = tuple(torch.zeros([1] + x["shape"][1:], dtype={"uint8": torch.uint8, "float32": torch.float32,
                                                                 "int64": torch.int64}[x["dtype"]])
                        for x in spec[name]["inputs"])
        n = recover_graph(name, graph, path, example)
        problem = same_initializers(graph, spec[name], data, path)
        if problem:
            raise SystemExit(f"{name}: the recovered weights do not reproduce {path}: {problem}")
        print(f"{path}: {n} tensors recovered; exported again, every initializer is identical")

    os.makedirs(args.out, exist_ok=True)
    stages = manifest["training"]["stages"]
    for stage in STAGES:
        module = getattr(world, stage)
        save_checkpoint(cfg, stage, {
            "stage": stage, "step": stages[stage]["steps"], "model": module.state_dict(), "optimizer": None,
            "config": cfg, "data": data, "requires": {k: stages[k]["steps"] for k in DEPENDS[stage]},
            "rng": None, "metrics": stages[stage]["metrics"],
            "init": {"recovered_from": f"{manifest['name']} {manifest['version']}"},
        })
        print(f"{os.path.join(args.out, stage + '.pt')}: {stage}, step {stages[stage]['steps']}")


if __name__ == "__main__":
    main()
