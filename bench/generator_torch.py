"""
PyTorch eager timing of the shipped model's step graph: the comparison column of
bench/generator.bench.ts (same graph as the ONNX export, model/train/graphs.py StepGraph;
same weights; same thread count; same batch sizes; random inputs as export.py makes them).

  /usr/bin/python3 bench/generator_torch.py --config model/train/configs/grade-cpu.json
      --model-dir model/shipped [--set KEY=VALUE] [--batches 1,2,4,8] [--threads 2] [--runs 50]

The architecture comes from the training config, the data sizes from the model's
manifest.json and the weights from its step.onnx (torch.onnx.export names every
initializer after its parameter), so no training checkpoints are needed and the two
runtimes time the very same model. Prints one JSON document; without torch or the onnx
package, or for a model of another manifest format than model/train exports (format 2:
a ring of frames, model.py's WorldModel), it prints {"skipped": reason} and exits 0.
`check` samples the step graph's frame at batch 1 for a fixed input (check_inputs), so
the caller can confirm both runtimes compute the same thing.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model", "train"))

CHECK_STRIDE = 97  # every 97th value of the frame is compared against onnxruntime
CHECK_RAMP = 251  # the check input's context: element i is i mod 251 (bench/lib/step-feeds.ts)


def skip(reason):
    print(json.dumps({"skipped": reason}))
    sys.exit(0)


def data_info(manifest):
    """The sizes graphs.io and export.random_inputs need, from the serving manifest."""
    slots = manifest["instructions"]["slotOrder"]
    return {
        "height": manifest["frame"]["height"], "width": manifest["frame"]["width"],
        "n_actions": len(manifest["actions"]["keys"]), "n_slots": len(slots),
        "slot_sizes": [len(manifest["instructions"]["slots"][s]) for s in slots], "slot_order": slots,
    }


def initializer_sources(graph, spec, data):
    """Initializer name -> parameter name, for the ones the exporter renamed.

    torch.onnx.export keeps most parameter names, but a parameter it reshapes or
    transposes while folding constants (GroupNorm affines, Linear weights) becomes an
    anonymous initializer such as `onnx::Mul_734`. Exporting a copy of the same graph whose
    every tensor is filled with its own index names them: the exporter's naming depends on
    the graph, not on the values. Buffers are left out: the architecture rebuilds them from
    the config (the warp's pixel grid), and what the exporter folds them into can look like
    a constant fill of their tag (a clamp of a positive constant is itself).
    """
    import copy
    import io as bytes_io

    import onnx
    import torch
    from onnx import numpy_helper
    from export import export_graph

    tagged = copy.deepcopy(graph)
    names = list(tagged.state_dict().keys())
    parameters = {name for name, _ in tagged.named_parameters()}
    with torch.no_grad():
        for index, tensor in enumerate(tagged.state_dict().values()):
            if tensor.is_floating_point():  # integer buffers are lookup offsets, left intact
                tensor.fill_(index + 1)
    exported = bytes_io.BytesIO()
    export_graph(tagged, spec, data, exported)
    sources = {}
    for init in onnx.load_from_string(exported.getvalue()).graph.initializer:
        values = numpy_helper.to_array(init)
        tag = values.flat[0] if values.size else 0
        if init.name not in names and (values == tag).all() and float(tag).is_integer() and 1 <= tag <= len(names):
            if names[int(tag) - 1] in parameters:
                sources[init.name] = names[int(tag) - 1]
    return sources


def check_inputs(spec):
    """Zeros but for a ramp in the context: the frame of black frames is black whatever the
    weights, a ramp's depends on them."""
    import torch
    from graphs import example_inputs

    context, *rest = example_inputs(spec, 1)
    ramp = (torch.arange(context.numel()) % CHECK_RAMP).to(context.dtype).reshape(context.shape)
    return (ramp, *rest)


def load_onnx_weights(graph, onnx_path, spec, data):
    """Copies every parameter of the exported step graph back into the torch graph."""
    import onnx
    import torch
    from onnx import numpy_helper

    state = graph.state_dict()
    sources = initializer_sources(graph, spec, data)
    loaded = {}
    for init in onnx.load(onnx_path).graph.initializer:
        name = init.name if init.name in state else sources.get(init.name)
        if name is None:
            continue  # a folded constant (shape, scalar), not a parameter
        value = torch.from_numpy(numpy_helper.to_array(init).copy())
        if init.name.startswith("onnx::MatMul"):
            value = value.t()  # a Linear weight, exported as the right operand of MatMul
        if value.numel() != state[name].numel():
            raise SystemExit(f"{onnx_path}: {init.name} has {list(value.shape)}, "
                             f"the config's {name} is {list(state[name].shape)}")
        loaded[name] = value.reshape(state[name].shape)
    graph.load_state_dict(loaded, strict=False)
    return len(loaded)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="training config: the model's architecture")
    p.add_argument("--model-dir", required=True, help="manifest.json + step.onnx: sizes and weights")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--batches", default="1,2,4,8")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()

    try:
        import torch
        import onnx  # noqa: F401  (reads the weights)
    except ImportError as error:
        skip(f"{error.name} is not installed for {sys.executable} (Debian: apt-get install python3-torch python3-onnx)")
    from train import load_config
    from model import WorldModel
    from graphs import StepGraph, format_version, io
    from export import random_inputs
    from latency import median_ms

    if not os.path.exists(args.config):
        skip(f"no training config at {args.config}")
    with open(os.path.join(args.model_dir, "manifest.json")) as f:
        manifest = json.load(f)
    cfg = load_config(args.config, args.set)
    if manifest["formatVersion"] != format_version(cfg["model"]):
        skip(f"{args.model_dir} is a manifest format {manifest['formatVersion']} model; "
             f"{args.config} builds format {format_version(cfg['model'])} models")
    data = data_info(manifest)
    step_path = os.path.join(args.model_dir, manifest["graphs"]["step"]["file"])

    torch.set_num_threads(args.threads)
    world = WorldModel(cfg["model"], data["height"], data["width"], data["n_actions"], data["slot_sizes"],
                       data["slot_order"])
    graph = StepGraph(world).eval()
    spec = io(cfg["model"], data["height"], data["width"], data["n_actions"], data["n_slots"])["step"]
    parameters = load_onnx_weights(graph, step_path, spec, data)
    with torch.no_grad():
        frame = graph(*check_inputs(spec))
    rows = []
    gen = torch.Generator().manual_seed(0)
    for batch in [int(b) for b in args.batches.split(",")]:
        rows.append({"batch": batch, "ms": median_ms(graph, random_inputs(spec, batch, data, gen), args.runs)})
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(json.dumps({
        "model": {"name": manifest["name"], "version": manifest["version"], "weights": step_path,
                  "parameterTensors": parameters},
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "runs": args.runs,
        "rows": rows,
        "check": frame.flatten()[::CHECK_STRIDE].tolist(),
    }))


if __name__ == "__main__":
    main()
