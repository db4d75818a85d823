"""
Trains worldtick's generator in three stages, all driven by one JSON config:

  ae        frame autoencoder, 128x128 RGB <-> C x 16 x 16 latent (learns to compress)
  base      video continuation: the next latent from the last K, no conditions
            (learns how the world moves on its own; the autoencoder is frozen)
  instruct  InstructNet: steers the frozen base by the action and the held
            instructions (learns control), trained on its own rollouts

  /usr/bin/python3 model/train/train.py --config model/train/configs/small.json
      [--stage all|ae|base|instruct] [--resume] [--set base.steps=500 ...]

Checkpoints go to <out_dir>/<stage>.pt (written atomically every ckpt_every steps and at
the end); --resume continues each stage where its checkpoint stopped and skips finished
ones. Progress lines also go to <out_dir>/log.jsonl. The recipe is in model/README.md.
"""

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from data import Split, load_manifest
from model import WorldModel, frames_to_input, output_to_frames

STAGES = ("ae", "base", "instruct")

# -----------------------------------------------------------------------------
# config and checkpoints


def load_config(path, overrides):
    """The JSON config, with `section.key=value` overrides (value parsed as JSON when it can be)."""
    with open(path) as f:
        cfg = json.load(f)
    for item in overrides:
        key, value = item.split("=", 1)
        *parents, leaf = key.split(".")
        node = cfg
        for k in parents:
            node = node[k]
        if leaf not in node:
            raise SystemExit(f"--set {key}: no such config key")
        try:
            node[leaf] = json.loads(value)
        except json.JSONDecodeError:
            node[leaf] = value
    return cfg


def dataset_info(manifest):
    """What the model needs to know about its data (stored in every checkpoint, so export
    works without the dataset at hand)."""
    slots = manifest["slotOrder"]
    return {
        "fps": manifest["fps"], "height": manifest["height"], "width": manifest["width"],
        "actionKeys": manifest["actionKeys"], "slotOrder": slots,
        "instructionSlots": manifest["instructionSlots"], "spec": manifest["spec"],
        "n_actions": len(manifest["actionKeys"]), "n_slots": len(slots),
        "slot_sizes": [len(manifest["instructionSlots"][s]) for s in slots],
    }


def checkpoint_path(cfg, stage):
    return os.path.join(cfg["out_dir"], f"{stage}.pt")


def read_checkpoint(cfg, stage):
    ck = torch.load(checkpoint_path(cfg, stage), map_location="cpu")
    if ck["config"]["model"] != cfg["model"]:
        raise SystemExit(f"{checkpoint_path(cfg, stage)} was trained with a different 'model' config section")
    return ck


def build_world(cfg, load_checkpoints=False):
    """The model and its data info; with load_checkpoints, every stage found on disk is loaded."""
    found = [s for s in STAGES if os.path.exists(checkpoint_path(cfg, s))]
    checkpoints = {s: read_checkpoint(cfg, s) for s in found} if load_checkpoints else {}
    if checkpoints:
        data = next(iter(checkpoints.values()))["data"]
    else:
        data = dataset_info(load_manifest(cfg["data"]))
    world = WorldModel(cfg["model"], data["n_actions"], data["slot_sizes"])
    for stage, ck in checkpoints.items():
        getattr(world, stage).load_state_dict(ck["model"])
    return world, data


def save_checkpoint(cfg, stage, state):
    path = checkpoint_path(cfg, stage)
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)  # a run killed mid-save keeps the previous checkpoint


def log(cfg, record):
    print(" | ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in record.items()), flush=True)
    with open(os.path.join(cfg["out_dir"], "log.jsonl"), "a") as f:
        f.write(json.dumps(record) + "\n")


def lr_at(s, step):
    """Linear warmup, then cosine decay to min_lr (nanoGPT's schedule)."""
    if step < s["warmup"]:
        return s["lr"] * (step + 1) / s["warmup"]
    progress = min(1.0, (step - s["warmup"]) / max(1, s["steps"] - s["warmup"]))
    return s["min_lr"] + 0.5 * (1 + math.cos(math.pi * progress)) * (s["lr"] - s["min_lr"])


def duration(seconds):
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{int(seconds % 60):02d}s"


def psnr(pred, truth):
    """Per-frame PSNR in dB of uint8 frames [N, H, W, 3]."""
    mse = ((pred.float() - truth.float()) ** 2).mean((1, 2, 3)).clamp_min(1e-10)
    return 10 * torch.log10(255.0 ** 2 / mse)


# -----------------------------------------------------------------------------
# batches


def frame_batch(split, idx, device):
    return frames_to_input(torch.from_numpy(split.frames(idx)).to(device))


@torch.no_grad()
def decode_frames(world, latents, chunk=64):
    return torch.cat([output_to_frames(world.ae.decode(z)).cpu() for z in latents.split(chunk)])


@torch.no_grad()
def encode_split(world, split, device, chunk=64):
    """float16 [N, C, h, w] latents of every record (the generator stages train on these,
    so the autoencoder runs once per frame instead of once per sample)."""
    out = []
    for start in range(0, len(split), chunk):
        idx = np.arange(start, min(start + chunk, len(split)))
        out.append(world.ae.encode(frame_batch(split, idx, device)).half().cpu().numpy())
    return np.concatenate(out)


def latent_cache(cfg, world, splits, ae_step, device):
    """Latents of both splits under the current autoencoder, cached in out_dir by its step."""
    meta_path = os.path.join(cfg["out_dir"], "latents.json")
    paths = {name: os.path.join(cfg["out_dir"], f"latents-{name}.npy") for name in splits}
    meta = {"ae_step": ae_step, "data": cfg["data"], "records": {n: len(s) for n, s in splits.items()}}
    if os.path.exists(meta_path) and json.load(open(meta_path)) == meta:
        return {name: np.load(path) for name, path in paths.items()}
    t0 = time.time()
    world.ae.eval()
    latents = {name: encode_split(world, split, device) for name, split in splits.items()}
    for name, z in latents.items():
        np.save(paths[name], z)
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    records = sum(len(s) for s in splits.values())
    log(cfg, {"cache": "latents", "records": records, "seconds": round(time.time() - t0, 1)})
    return latents


def window_batch(split, latents, idx, K, R, prompt_prob, rng, device):
    """Training windows: for each first target record t, the K context latents before t
    (oldest first), and latents, actions and held instructions of t .. t+R-1. Context
    before an episode's record 0 repeats record 0, as the server's ring does when it is
    seeded from one frame; with probability prompt_prob the context is cut shorter the
    same way (a short video prompt)."""
    lower = split.first[idx]
    if prompt_prob > 0:
        cut = np.maximum(lower, idx - rng.integers(1, K + 1, len(idx)))
        lower = np.where(rng.random(len(idx)) < prompt_prob, cut, lower)
    ctx = np.maximum(idx[:, None] + np.arange(-K, 0), lower[:, None])
    tgt = idx[:, None] + np.arange(R)

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    return {
        "context": t(latents[ctx]).float(), "target": t(latents[tgt]).float(),
        "action": t(split.action[tgt]), "instruction": t(split.instruction[tgt]), "age": t(split.age[tgt]),
        "target_records": tgt,
    }


def rollout(world, batch, conditioned, noise_max):
    """Predict R ticks in a row. After the first, the ring holds the model's own (detached)
    predictions, so training sees the errors it will make at serving time (DIAMOND trains
    this way too); each step also noises the ring by a random level in [0, noise_max]
    that the model is told (GameNGen). Both fight autoregressive drift."""
    ctx, preds = batch["context"], []
    for r in range(batch["target"].shape[1]):
        level = torch.rand(ctx.shape[0], device=ctx.device) * noise_max
        noisy = ctx + level.view(-1, 1, 1, 1, 1) * torch.randn_like(ctx)
        cond = (batch["action"][:, r], batch["instruction"][:, r], batch["age"][:, r]) if conditioned else ()
        pred = world.step(noisy, level, *cond)
        preds.append(pred)
        ctx = torch.cat([ctx[:, 1:], pred.detach()[:, None]], 1)
    return torch.stack(preds, 1)


# -----------------------------------------------------------------------------
# evaluation on held-out episodes


@torch.no_grad()
def evaluate(stage, cfg, world, split, latents, eval_idx, device):
    world.eval()
    if stage == "ae":
        frames = torch.from_numpy(split.frames(eval_idx))
        recon = decode_frames(world, world.ae.encode(frames_to_input(frames.to(device))))
        return {"psnr": psnr(recon, frames).mean().item()}
    R = cfg[stage]["eval_rollout"]
    batch = window_batch(split, latents, eval_idx, cfg["model"]["context"], R, 0.0, None, device)
    preds = rollout(world, batch, stage == "instruct", 0.0)
    truth = torch.from_numpy(split.frames(batch["target_records"].ravel()))
    scores = psnr(decode_frames(world, preds.flatten(0, 1)), truth).view(len(eval_idx), R)
    truth = truth.view(len(eval_idx), R, *truth.shape[1:])
    ceiling = psnr(decode_frames(world, batch["target"][:, 0]), truth[:, 0])
    last = torch.from_numpy(split.frames(batch["target_records"][:, 0] - 1))  # the last true frame before the window
    hold = psnr(last.repeat_interleave(R, 0), truth.flatten(0, 1)).view(len(eval_idx), R)
    return {
        "loss": F.mse_loss(preds[:, 0], batch["target"][:, 0]).item(),  # one step, true context
        "psnr_1": scores[:, 0].mean().item(),
        f"psnr_{R}": scores.mean().item(),  # mean over an R-tick open-loop rollout
        "psnr_last": scores[:, -1].mean().item(),
        "psnr_ae": ceiling.mean().item(),  # decoding the true latent: the autoencoder's ceiling
        "hold_1": hold[:, 0].mean().item(),  # baseline: repeat the last true frame
        f"hold_{R}": hold.mean().item(),
    }


# -----------------------------------------------------------------------------
# one stage


def train_stage(stage, cfg, world, splits, trained, resume, device):
    s = cfg[stage]
    module = getattr(world, stage)
    world.requires_grad_(False)
    module.requires_grad_(True)
    opt = torch.optim.AdamW(module.parameters(), lr=s["lr"], weight_decay=s["weight_decay"])
    requires = {k: trained[k] for k in STAGES[:STAGES.index(stage)]}  # steps of the frozen parts
    torch.manual_seed(cfg["seed"] + STAGES.index(stage))
    rng = np.random.default_rng(cfg["seed"] + STAGES.index(stage))
    step, metrics = 0, {}

    if os.path.exists(checkpoint_path(cfg, stage)):
        if not resume:
            raise SystemExit(f"{checkpoint_path(cfg, stage)} exists: "
                             "pass --resume to continue it, or delete it to start over")
        ck = read_checkpoint(cfg, stage)
        if ck["requires"] != requires:
            raise SystemExit(f"{stage}.pt was trained on {ck['requires']}, but {requires} is loaded: "
                             f"delete {stage}.pt to retrain it")
        module.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, metrics = ck["step"], ck["metrics"]
        rng.bit_generator.state = ck["rng"]["numpy"]
        torch.set_rng_state(ck["rng"]["torch"])
    elif stage == "instruct":
        world.instruct.copy_base(world.base)
    if step >= s["steps"]:
        print(f"{stage}: done ({step}/{s['steps']} steps), skipping")
        return step

    # What a stage trains on: frames for the autoencoder, cached latents and windows after it.
    if stage == "ae":
        latents = None
        train_idx = np.arange(len(splits["train"]))
        eval_idx = np.random.default_rng(cfg["seed"]).permutation(len(splits["heldout"]))[:s["eval_samples"]]
    else:
        latents = latent_cache(cfg, world, splits, trained["ae"], device)
        train_idx = splits["train"].windows(s["rollout"])
        held = splits["heldout"].windows(s["eval_rollout"])
        eval_idx = np.sort(np.random.default_rng(cfg["seed"]).permutation(held)[:s["eval_samples"]])

    def get_batch():
        idx = rng.choice(train_idx, s["batch_size"])
        if stage == "ae":
            return frame_batch(splits["train"], idx, device)
        return window_batch(splits["train"], latents["train"], idx, cfg["model"]["context"],
                            s["rollout"], s["prompt_prob"], rng, device)

    def save(metrics):
        save_checkpoint(cfg, stage, {
            "stage": stage, "step": step, "model": module.state_dict(), "optimizer": opt.state_dict(),
            "config": cfg, "data": dataset_info(splits["train"].manifest), "requires": requires,
            "rng": {"numpy": rng.bit_generator.state, "torch": torch.get_rng_state()}, "metrics": metrics,
        })

    n_params = sum(p.numel() for p in module.parameters())
    print(f"{stage}: {n_params / 1e6:.2f} M trainable parameters, steps {step} -> {s['steps']}, "
          f"{len(train_idx)} training samples, {len(eval_idx)} held-out")
    losses, t0 = [], time.time()
    while step < s["steps"]:
        lr = lr_at(s, step)
        for group in opt.param_groups:
            group["lr"] = lr
        module.train()
        batch = get_batch()
        if stage == "ae":
            loss = F.mse_loss(world.ae(batch, s["latent_noise"]), batch)
        else:
            preds = rollout(world, batch, stage == "instruct", s["context_noise"])
            loss = F.mse_loss(preds, batch["target"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), s["grad_clip"])
        opt.step()
        step += 1
        losses.append(loss.item())

        if step % s["log_every"] == 0 or step == s["steps"]:
            dt = time.time() - t0
            log(cfg, {"stage": stage, "step": step, "of": s["steps"], "loss": float(np.mean(losses)), "lr": lr,
                      "samples/s": len(losses) * s["batch_size"] / dt,
                      "eta": duration((s["steps"] - step) * dt / len(losses))})
            losses = []
        if step % s["eval_every"] == 0 or step == s["steps"]:
            held_latents = None if latents is None else latents["heldout"]
            metrics = evaluate(stage, cfg, world, splits["heldout"], held_latents, eval_idx, device)
            log(cfg, {"stage": stage, "step": step, "eval": "heldout", **metrics})
        if step % s["ckpt_every"] == 0 or step == s["steps"]:
            save(metrics)
        if not losses:
            t0 = time.time()  # throughput and ETA leave out evaluation and saving
    return step


# -----------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="JSON config (model/train/configs/)")
    p.add_argument("--stage", default="all", choices=("all",) + STAGES)
    p.add_argument("--resume", action="store_true", help="continue from the stage checkpoints in out_dir")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. ae.steps=200")
    args = p.parse_args()

    cfg = load_config(args.config, args.set)
    torch.set_num_threads(cfg["threads"])
    device = torch.device(cfg["device"])
    os.makedirs(cfg["out_dir"], exist_ok=True)
    world, _ = build_world(cfg)
    world.to(device)
    hold = cfg["model"]["instruction_hold"]
    splits = {name: Split(cfg["data"], name, hold) for name in ("train", "heldout")}

    stages = STAGES if args.stage == "all" else (args.stage,)
    trained = {}  # stage -> step of the weights now in `world`
    for stage in STAGES[:STAGES.index(stages[0])]:  # the frozen parts the first stage builds on
        if not os.path.exists(checkpoint_path(cfg, stage)):
            raise SystemExit(f"stage {stages[0]} needs {checkpoint_path(cfg, stage)}: train stage {stage} first")
        ck = read_checkpoint(cfg, stage)
        getattr(world, stage).load_state_dict(ck["model"])
        trained[stage] = ck["step"]
    for stage in stages:
        trained[stage] = train_stage(stage, cfg, world, splits, trained, args.resume, device)


if __name__ == "__main__":
    main()
