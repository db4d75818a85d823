"""
Exports the trained generator as ONNX graphs plus the manifest the server reads (schema:
model/MANIFEST.md).

  /usr/bin/python3 model/train/export.py --config model/train/configs/small-cpu.json [--out DIR] [--set KEY=VALUE]

Needs every stage's checkpoint in the config's out_dir. Writes step.onnx, start.onnx and
manifest.json into DIR (default <out_dir>/export). Before writing the
manifest it checks, on the exported torch modules, what the server will rely on: output
names, dtypes and shapes at several batch sizes, and that a batched step gives the same
frames as one step per session.
"""

import argparse
import hashlib
import json
import os

import onnx
import torch

from graphs import BATCH, GRAPHS, format_version, io
from train import STAGES, build_world, checkpoint_path, load_config, read_checkpoint

OPSET = 17


def random_inputs(spec, batch, data, gen):
    """Plausible inputs: random frames, keys, held instructions and ages."""
    out = []
    for x in spec["inputs"]:
        shape = [batch] + x["shape"][1:]
        if x["dtype"] == "uint8":
            out.append(torch.randint(0, 256, shape, generator=gen, dtype=torch.uint8))
        elif x["name"] == "actions":
            out.append(torch.randint(0, 2, shape, generator=gen).float())
        elif x["name"] in ("instruction", "instruction_from"):
            out.append(torch.stack([torch.randint(0, n + 1, (batch,), generator=gen) for n in data["slot_sizes"]], 1))
        elif x["name"] == "instruction_age":
            out.append(torch.randint(0, 40, shape, generator=gen).float())
        else:
            out.append(torch.randn(shape, generator=gen))
    return tuple(out)


@torch.no_grad()
def check(name, graph, spec, data):
    gen = torch.Generator().manual_seed(0)
    for batch in (1, 3):
        inputs = random_inputs(spec, batch, data, gen)
        outs = graph(*inputs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        for out, want in zip(outs, spec["outputs"]):
            shape = [batch] + want["shape"][1:]
            if list(out.shape) != shape or str(out.dtype) != f"torch.{want['dtype']}":
                raise SystemExit(f"{name}.{want['name']}: got {out.dtype} {list(out.shape)}, "
                                 f"want {want['dtype']} {shape}")
    singles = [graph(*(x[i:i + 1] for x in inputs)) for i in range(batch)]
    singles = [s if isinstance(s, tuple) else (s,) for s in singles]
    for k, want in enumerate(spec["outputs"]):
        diff = (outs[k].float() - torch.cat([s[k] for s in singles]).float()).abs().max().item()
        if diff > (1.0 if want["dtype"] == "uint8" else 1e-4):  # uint8: one rounding step at most
            raise SystemExit(f"{name}.{want['name']}: batched and single-session results differ by {diff}")


def export_graph(graph, spec, data, target):
    """One graph as ONNX into target (a path or a binary file), batch dimension dynamic."""
    names = spec["inputs"] + spec["outputs"]
    torch.onnx.export(
        graph, random_inputs(spec, 1, data, torch.Generator().manual_seed(0)), target,
        opset_version=OPSET, do_constant_folding=True,
        input_names=[x["name"] for x in spec["inputs"]],
        output_names=[x["name"] for x in spec["outputs"]],
        dynamic_axes={x["name"]: {0: BATCH} for x in names},
    )


def declare_shapes(path, spec):
    """Writes the contract's shapes onto the graph's inputs and outputs: torch's exporter can
    leave a size symbolic (frame height and width after grid_sample), and the server checks
    the graph's own shapes against the manifest (MANIFEST.md, validation rule 3)."""
    model = onnx.load(path)
    for value, x in zip([*model.graph.input, *model.graph.output], spec["inputs"] + spec["outputs"]):
        for dim, size in zip(value.type.tensor_type.shape.dim, x["shape"]):
            if isinstance(size, int):
                dim.dim_value = size
            else:
                dim.dim_param = size
    onnx.save(model, path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--out", help="output folder (default <out_dir>/export)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value as in train.py, e.g. out_dir=model/out/try2")
    args = p.parse_args()

    cfg = load_config(args.config, args.set)
    missing = [checkpoint_path(cfg, s) for s in STAGES if not os.path.exists(checkpoint_path(cfg, s))]
    if missing:
        raise SystemExit(f"missing checkpoints: {', '.join(missing)}")
    checkpoints = {s: read_checkpoint(cfg, s) for s in STAGES}
    world, data = build_world(cfg, load_checkpoints=True)
    world.eval()
    out_dir = args.out or os.path.join(cfg["out_dir"], "export")
    os.makedirs(out_dir, exist_ok=True)
    m = cfg["model"]
    spec = io(m, data["height"], data["width"], data["n_actions"], data["n_slots"])

    graphs = {}
    for name, make in GRAPHS.items():
        graph = make(world).eval()
        check(name, graph, spec[name], data)
        file = f"{name}.onnx"
        path = os.path.join(out_dir, file)
        export_graph(graph, spec[name], data, path)
        declare_shapes(path, spec[name])
        graphs[name] = {"file": file, "sha256": sha256(path), "bytes": os.path.getsize(path), **spec[name]}
        print(f"{path}: {graphs[name]['bytes'] / 1e6:.2f} MB")

    manifest = {
        "format": "worldtick-model",
        "formatVersion": format_version(m),
        "name": cfg["name"],
        "version": cfg["version"],
        "fps": data["fps"],
        "frame": {"width": data["width"], "height": data["height"], "channels": 3, "layout": "NHWC",
                  "dtype": "uint8", "color": "RGB"},
        "context": {"length": 2, "element": "frame", "order": "oldest-first", "seed": "repeat-oldest"},
        "actions": {"keys": data["actionKeys"], "encoding": "multi-hot", "history": m["action_history"],
                    "cameraAxes": []},
        "instructions": {"slotOrder": data["slotOrder"], "slots": data["instructionSlots"],
                         "holdTicks": m["instruction_hold"]},
        "opset": OPSET,
        "batchDim": BATCH,
        "graphs": graphs,
        "training": {
            "dataset": data["spec"],
            "parameters": {s: sum(p.numel() for p in getattr(world, s).parameters()) for s in STAGES},
            "stages": {s: {"steps": ck["step"], "metrics": ck["metrics"],
                           **({"init": ck["init"]} if ck.get("init") else {})} for s, ck in checkpoints.items()},
        },
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{os.path.join(out_dir, 'manifest.json')}: {cfg['name']} {cfg['version']}")


if __name__ == "__main__":
    main()
