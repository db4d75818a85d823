"""
Reads the dataset written by model/dataset/ (format and field meanings: model/DATA.md).

A split (train or heldout) becomes one flat array of records: record i is row row[i]
of shard shard[i], and first[i] / last[i] are the records that bound its episode.
Frames stay in the memory-mapped shards and are read on demand; the small per-record
arrays the model is conditioned on (actions, held instructions) are loaded once.
"""

import json
import os

import numpy as np

HEADER_DATA_OFFSET = 28  # byte offset of the header's uint32 "data offset" field (DATA.md)


def load_manifest(root):
    with open(os.path.join(root, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("format") != "worldtick-dataset" or manifest.get("version") != 1:
        raise ValueError(f"{root}: not a worldtick-dataset version 1 manifest")
    return manifest


def record_dtype(manifest):
    """The numpy structured dtype of one step record, built from the manifest's field table
    (never from hard-coded offsets, so new fields cannot silently shift the others)."""
    record = manifest["record"]
    fields = record["fields"]
    return np.dtype({
        "names": [f["name"] for f in fields],
        "formats": [(np.dtype(f["dtype"]).newbyteorder("<"), tuple(f["shape"])) for f in fields],
        "offsets": [f["offset"] for f in fields],
        "itemsize": record["size"],
    })


def held_instructions(tokens, hold):
    """What the model is conditioned on, per record and slot: the token of the latest
    instruction given less than `hold` ticks ago (0 = none) and its age in ticks (0 on
    the tick it is applied). Raw tokens mark only that one tick, but the engine blends
    an instruction's effect in over ~16 ticks (a biome journey takes 12), so the model
    has to keep seeing it. The server derives the same pair from its own instruction
    log (model/MANIFEST.md). `tokens` is one episode's [T, slots] instruction field."""
    held = np.zeros(tokens.shape, np.int64)
    age = np.zeros(tokens.shape, np.float32)
    for t in range(len(tokens)):
        if t > 0:
            still = (held[t - 1] > 0) & (age[t - 1] + 1 < hold)
            held[t] = np.where(still, held[t - 1], 0)
            age[t] = np.where(still, age[t - 1] + 1, 0)
        new = tokens[t] > 0
        held[t][new] = tokens[t][new]
        age[t][new] = 0
    return held, age


class Split:
    """All records of one split, flattened in episode order."""

    def __init__(self, root, split, hold):
        self.manifest = m = load_manifest(root)
        self.height, self.width = m["height"], m["width"]
        size = m["record"]["size"]
        dtype = record_dtype(m)
        names = [s["file"] for s in m["shards"] if s["split"] == split]
        if not names:
            raise ValueError(f"{root}: no {split} shards")
        self.shards, data_offset = [], []
        for s in m["shards"]:
            if s["split"] != split:
                continue
            path = os.path.join(root, s["file"])
            offset = int(np.fromfile(path, "<u4", count=1, offset=HEADER_DATA_OFFSET)[0])
            self.shards.append(np.memmap(path, dtype, mode="r", offset=offset, shape=(s["records"],)))
            data_offset.append(offset)

        shard, row, first, last, action, held, age, motion, environment = [], [], [], [], [], [], [], [], []
        n_keys, start = len(m["actionKeys"]), 0
        for e in sorted((e for e in m["episodes"] if e["split"] == split), key=lambda e: e["index"]):
            k = names.index(e["shard"])
            r0, n = (e["offset"] - data_offset[k]) // size, e["records"]
            shard.append(np.full(n, k))
            row.append(np.arange(r0, r0 + n))
            first.append(np.full(n, start))
            last.append(np.full(n, start + n - 1))
            records = self.shards[k][r0:r0 + n]
            bits = records["action"].astype(np.int64)
            action.append(((bits[:, None] >> np.arange(n_keys)) & 1).astype(np.float32))
            motion.append(records["motion"].astype(np.float32))
            environment.append(records["environment"].astype(np.int64))
            h, a = held_instructions(records["instruction"].astype(np.int64), hold)
            held.append(h)
            age.append(a)
            start += n
        cat = np.concatenate
        self.shard, self.row, self.first, self.last = cat(shard), cat(row), cat(first), cat(last)
        self.action = cat(action)        # [N, keys] multi-hot float32
        self.instruction = cat(held)     # [N, slots] held token, int64
        self.age = cat(age)              # [N, slots] ticks since it was applied, float32
        self.motion = cat(motion)        # [N, 4] forward, right, yaw, up of the player (DATA.md)
        self.environment = cat(environment)  # [N, slots] index of each slot's current value
        self.step = np.arange(len(self.row)) - self.first

    def __len__(self):
        return len(self.row)

    def frames(self, idx):
        """uint8 [len(idx), H, W, 3] frames of the given records (any order, repeats allowed)."""
        idx = np.asarray(idx)
        out = np.empty((len(idx), self.height, self.width, 3), np.uint8)
        for k, shard in enumerate(self.shards):
            sel = np.nonzero(self.shard[idx] == k)[0]
            if len(sel):
                out[sel] = shard["frame"][self.row[idx[sel]]]
        return out

    def windows(self, rollout):
        """Records t that can be the first of `rollout` predicted steps inside their episode
        (record 0 is the start frame: nothing to predict it from)."""
        i = np.arange(len(self))
        return np.nonzero((self.step >= 1) & (i + rollout - 1 <= self.last))[0]
