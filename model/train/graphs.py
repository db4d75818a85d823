"""
The inference graph the server runs each tick, and its I/O contract (names, shapes with a
symbolic batch dimension, dtypes). export.py writes it to ONNX and copies `io` into the
manifest; latency.py times it. See model/MANIFEST.md for how the server drives it.

  step   the last two frames + the action history + the held instructions (and the value
         each one replaced) -> next frame
  start  instruction tokens (0 = unspecified) -> a first frame (a session started from text)

The ring holds frames (uint8, what the step returned), so nothing is ever re-encoded and a
video prompt or an engine frame seeds it as it is.
"""

import torch
import torch.nn as nn

from model import frames_to_input, output_to_frames

BATCH = "batch"  # name of the symbolic batch dimension in every graph


class StepGraph(nn.Module):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def forward(self, context, actions, instruction, instruction_age, instruction_from=None):
        level = torch.zeros_like(actions[:, 0, 0])  # clean context: noise is a training-time augmentation
        frame, _ = self.world.step(frames_to_input(context), level, actions=actions,
                                   instruction=instruction, age=instruction_age, origin=instruction_from)
        return output_to_frames(frame)


class StartGraph(nn.Module):
    def __init__(self, world):
        super().__init__()
        self.start = world.start

    def forward(self, instruction):
        return output_to_frames(self.start(instruction))


def format_version(cfg):
    """Format 3 adds the step input `instruction_from`, which only the grade layer reads."""
    return 3 if cfg.get("grade") else 2


def io(cfg, height, width, n_actions, n_slots):
    """name -> {inputs, outputs}, each a list of {name, dtype, shape}, in graph order."""
    frame = [BATCH, height, width, 3]

    def t(name, dtype, shape):
        return {"name": name, "dtype": dtype, "shape": shape}

    origin = [t("instruction_from", "int64", [BATCH, n_slots])] if format_version(cfg) == 3 else []
    return {
        "step": {
            "inputs": [
                t("context", "uint8", [BATCH, 2, height, width, 3]),
                t("actions", "float32", [BATCH, cfg["action_history"], n_actions]),
                t("instruction", "int64", [BATCH, n_slots]),
                t("instruction_age", "float32", [BATCH, n_slots]),
                *origin,
            ],
            "outputs": [t("frame", "uint8", frame)],
        },
        "start": {"inputs": [t("instruction", "int64", [BATCH, n_slots])], "outputs": [t("frame", "uint8", frame)]},
    }


GRAPHS = {"step": StepGraph, "start": StartGraph}

DTYPES = {"uint8": torch.uint8, "float32": torch.float32, "int64": torch.int64}


def example_inputs(spec, batch):
    """Zero tensors matching a graph's inputs at a concrete batch size."""
    return tuple(
        torch.zeros([batch] + x["shape"][1:], dtype=DTYPES[x["dtype"]]) for x in spec["inputs"]
    )
