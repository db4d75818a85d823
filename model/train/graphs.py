"""
The three inference graphs the server runs, and their I/O contract (names, shapes with a
symbolic batch dimension, dtypes). export.py writes them to ONNX and copies `io` into the
manifest; latency.py times them. See model/MANIFEST.md for how the server drives them.

  encode  frames -> latent             seeds the context ring (video prompt, first frame)
  step    context ring + conditions -> next latent and its frame      (once per tick)
  decode  latent -> frame              the autoencoder alone (evaluation, previews)

The step graph fuses prediction and decoding: one call per tick, and the new latent goes
straight into the ring, so a tick never re-encodes a frame.
"""

import torch
import torch.nn as nn

from model import output_to_frames, frames_to_input

BATCH = "batch"  # name of the symbolic batch dimension in every graph


class EncodeGraph(nn.Module):
    def __init__(self, world):
        super().__init__()
        self.ae = world.ae

    def forward(self, frame):
        return self.ae.encode(frames_to_input(frame))


class StepGraph(nn.Module):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def forward(self, context, action, instruction, instruction_age):
        level = torch.zeros_like(action[:, 0])  # clean context: noise is a training-time augmentation
        latent = self.world.step(context, level, action, instruction, instruction_age)
        return latent, output_to_frames(self.world.ae.decode(latent))


class DecodeGraph(nn.Module):
    def __init__(self, world):
        super().__init__()
        self.ae = world.ae

    def forward(self, latent):
        return output_to_frames(self.ae.decode(latent))


def io(cfg, height, width, n_actions, n_slots):
    """name -> {inputs, outputs}, each a list of {name, dtype, shape}, in graph order."""
    C, K = cfg["latent_channels"], cfg["context"]
    s = 2 ** len(cfg["ae_widths"])
    frame = [BATCH, height, width, 3]
    latent = [BATCH, C, height // s, width // s]

    def t(name, dtype, shape):
        return {"name": name, "dtype": dtype, "shape": shape}

    return {
        "encode": {"inputs": [t("frame", "uint8", frame)], "outputs": [t("latent", "float32", latent)]},
        "step": {
            "inputs": [
                t("context", "float32", [BATCH, K] + latent[1:]),
                t("action", "float32", [BATCH, n_actions]),
                t("instruction", "int64", [BATCH, n_slots]),
                t("instruction_age", "float32", [BATCH, n_slots]),
            ],
            "outputs": [t("latent", "float32", latent), t("frame", "uint8", frame)],
        },
        "decode": {"inputs": [t("latent", "float32", latent)], "outputs": [t("frame", "uint8", frame)]},
    }


GRAPHS = {"encode": EncodeGraph, "step": StepGraph, "decode": DecodeGraph}

DTYPES = {"uint8": torch.uint8, "float32": torch.float32, "int64": torch.int64}


def example_inputs(spec, batch):
    """Zero tensors matching a graph's inputs at a concrete batch size."""
    return tuple(
        torch.zeros([batch] + x["shape"][1:], dtype=DTYPES[x["dtype"]]) for x in spec["inputs"]
    )
