"""
Fits the grade layer (model.py's GradeLayer) from data; nothing in it is trained by
gradient through the generator.

  maps    per graded slot and ordered value pair (u -> v), per colour channel and row, the
          least-squares affine map from the scene under u to the same scene under v, on the
          look pairs (model/dataset/look-pairs.ts renders them)
  reader  per graded slot, a softmax regression from a frame's 8x8 mean colours to the value
          it shows, on settled training frames (their recorded environment is what they show)
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

RIDGE = 1e-3  # frame units^2: keeps a row where a value barely varies near the identity map


def load_pairs(root, slot, height, width):
    """uint8 [scenes, values, H, W, 3] of one slot's look pairs."""
    with open(os.path.join(root, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("format") != "worldtick-look-pairs" or manifest.get("version") != 1:
        raise SystemExit(f"{root}: not a worldtick-look-pairs version 1 folder "
                         "(npx tsx model/dataset/look-pairs.ts --out DIR writes one)")
    if (manifest["height"], manifest["width"]) != (height, width):
        raise SystemExit(f"{root}: pairs are {manifest['height']}x{manifest['width']}, the model {height}x{width}")
    info = manifest["slots"][slot]
    raw = np.fromfile(os.path.join(root, info["file"]), np.uint8)
    return raw.reshape(info["scenes"], len(info["values"]), height, width, 3), info["values"]


def fit_maps(pairs):
    """gain, shift [to v, from u, channel, row] in frame units, from [scenes, values, H, W, 3] bytes."""
    x = torch.from_numpy(pairs).float().div(127.5).sub(1.0).permute(1, 4, 2, 0, 3)  # [V, 3, H, scenes, W]
    x = x.flatten(3)
    mean = x.mean(-1)  # [V, 3, H]
    centred = x - mean[..., None]
    var = (centred ** 2).mean(-1)
    cov = torch.einsum("vchn,uchn->vuch", centred, centred) / x.shape[-1]  # [to v, from u, 3, H]
    gain = (cov + RIDGE) / (var[None] + RIDGE)  # shrunk towards the identity; u -> u is exactly it
    shift = mean[:, None] - gain * mean[None]
    return gain, shift


def fit_reader(features, labels, n_values, iterations=400, lr=0.05, l2=1e-3):
    """Softmax regression on standardised features, returned on raw features (weight [F, V], bias [V])."""
    mu, sd = features.mean(0), features.std(0).clamp(min=1e-4)
    z = (features - mu) / sd
    w = torch.zeros(features.shape[1], n_values, requires_grad=True)
    b = torch.zeros(n_values, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=lr)
    for _ in range(iterations):
        loss = F.cross_entropy(z @ w + b, labels) + l2 * (w ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        accuracy = ((z @ w + b).argmax(1) == labels).float().mean().item()
        return w / sd[:, None], b - (mu / sd) @ w, accuracy


@torch.no_grad()
def frame_features(frames, idx, grade, chunk=512):
    out = []
    for i in range(0, len(idx), chunk):
        out.append(grade.features(frames.get(idx[i:i + chunk], torch.device("cpu"))))
    return torch.cat(out)


def init_grade(grade, split, frames, cfg, settled_idx, per_slot_frames=4000):
    """Fills the grade layer's maps and readers; prints each reader's accuracy on the frames it was fitted on."""
    spec = cfg["model"]["grade"]
    slots = split.manifest["slotOrder"]
    values = split.manifest["instructionSlots"]
    height, width = split.height, split.width
    rng = np.random.default_rng(cfg["seed"])
    idx = np.sort(rng.permutation(settled_idx)[:per_slot_frames])
    features = frame_features(frames, idx, grade)
    for k, slot_index in enumerate(grade.slots):
        slot = slots[slot_index]
        pairs, pair_values = load_pairs(spec["pairs"], slot, height, width)
        if list(pair_values) != list(values[slot]):
            raise SystemExit(f"{spec['pairs']}: {slot} values {pair_values} differ from the dataset's {values[slot]}")
        gain, shift = fit_maps(pairs)
        labels = torch.from_numpy(split.environment[idx, slot_index].astype(np.int64))
        weight, bias, accuracy = fit_reader(features, labels, len(values[slot]))
        grade.gain[k], grade.shift[k] = gain, shift
        grade.reader_weight[k], grade.reader_bias[k] = weight, bias
        print(f"grade init: {slot} maps from {len(pairs)} scenes; reader {accuracy:.1%} right on "
              f"{len(idx)} settled training frames", flush=True)
