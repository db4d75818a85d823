"""
Trains worldtick's generator in three stages, GameGen-O's order, driven by one JSON config:

  base      video continuation along a camera path: the next frame from the last two,
            the last one warped by the camera motion of the tick (the engine's recorded
            motion shapes this stage's data; it is never a serving input)
  instruct  InstructNet on the frozen base: the camera motion from the action history
            (supervised by the recorded motion) and the held instructions, trained on
            its own rollouts
  start     text to frame: a first frame from the instruction values alone (the
            recorded environment of settled frames shapes this stage's data)

  /usr/bin/python3 model/train/train.py --config model/train/configs/small-cpu.json
      [--stage all|base|instruct] [--resume] [--set base.steps=500 ...]

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
from adversarial import PatchCritic, critic_loss, fine_structure, generator_loss
from grade_init import init_grade
from particle_init import init_particles
from model import WorldModel, frames_to_input, output_to_frames, quantize

STAGES = ("base", "instruct", "start")
DEPENDS = {"base": (), "instruct": ("base",), "start": ()}  # the frozen parts each stage trains on

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
    world = WorldModel(cfg["model"], data["height"], data["width"], data["n_actions"], data["slot_sizes"],
                       data["slotOrder"])
    for stage, ck in checkpoints.items():
        getattr(world, stage).load_state_dict(ck["model"])
    return world, data


# Model keys that add layers or change how a tick composes its parts without changing the
# shape of any trained tensor: a run may start from one whose config differs in them.
LAYER_KEYS = {"sprite", "grade", "particles", "compose", "warp_padding", "idle_still"}


def load_init(cfg, stage, module):
    """Starts `module` from the same stage of the run folder `cfg["init"]` (e.g. weights
    recovered from a shipped model by recover.py): every tensor whose name and shape match
    is loaded; parts that run does not have (a new sprite layer) keep their initialisation.
    Returns the init checkpoint, or None when there is nothing to start from."""
    path = os.path.join(cfg["init"], f"{stage}.pt") if cfg.get("init") else None
    if not path or not os.path.exists(path):
        return None
    ck = torch.load(path, map_location="cpu")
    mine, theirs = cfg["model"], ck["config"]["model"]
    differ = [k for k in set(mine) | set(theirs) if k not in LAYER_KEYS and mine.get(k) != theirs.get(k)]
    if differ:
        raise SystemExit(f"{path}: its model config differs in {sorted(differ)}")
    own = module.state_dict()
    loaded = {k: v for k, v in ck["model"].items() if k in own and own[k].shape == v.shape}
    module.load_state_dict(loaded, strict=False)
    fresh = sorted({k.split(".")[0] for k in own if k not in loaded})
    print(f"{stage}: initialised from {path} (its step {ck['step']}); {len(loaded)}/{len(own)} tensors"
          + (f", new: {', '.join(fresh)}" if fresh else ""), flush=True)
    return ck


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


class Frames:
    """A split's frames held in memory as one uint8 tensor [N, H, W, 3] (1.4 GB for the
    default dataset), so batches are gathered without touching the disk."""

    def __init__(self, split, chunk=4096):
        self.data = torch.empty((len(split), split.height, split.width, 3), dtype=torch.uint8)
        for start in range(0, len(split), chunk):
            idx = np.arange(start, min(start + chunk, len(split)))
            self.data[idx] = torch.from_numpy(split.frames(idx))

    def get(self, idx, device):
        """float [..., 3, H, W] in [-1, 1] of the records in `idx` (any shape)."""
        idx = torch.from_numpy(np.ascontiguousarray(idx))
        return frames_to_input(self.data[idx.flatten()].to(device)).view(*idx.shape, 3, *self.data.shape[1:3])


def camera_motion(split, records, orbit):
    """The camera's motion of each record: (yaw, forward, right). The camera trails the
    player by `orbit` cells, so a turn also swings it sideways by orbit * yaw."""
    m = split.motion[records]  # forward, right, yaw, up
    return np.stack([m[..., 2], m[..., 0], m[..., 1] + orbit * m[..., 2]], -1).astype(np.float32)


def window_batch(split, frames, idx, cfg, R, prompt_prob, rng, device):
    """Training windows: for each first target record t, the two frames before it (oldest
    first), the action history of each of t .. t+R-1 (A actions, the newest being the
    tick's own; idle before the episode's start, as a new server session begins), their
    held instructions, camera motions and true frames. Context before record 0 repeats
    record 0, as the server's ring does when seeded from one frame; with probability
    prompt_prob the older context frame repeats the newer (a one-image video prompt)."""
    m = cfg["model"]
    A = m["action_history"]
    first = split.first[idx]
    before = np.maximum(idx - 2, first)
    if prompt_prob > 0:
        before = np.where(rng.random(len(idx)) < prompt_prob, idx - 1, before)
    ctx = np.stack([before, idx - 1], 1)
    tgt = idx[:, None] + np.arange(R)
    hist = tgt[:, :, None] + np.arange(-A + 1, 1)  # [B, R, A]
    valid = hist >= first[:, None, None]
    actions = split.action[np.maximum(hist, first[:, None, None])] * valid[..., None]

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    return {
        "context": frames.get(ctx, device), "target": frames.get(tgt, device),
        "actions": t(actions), "instruction": t(split.instruction[tgt]), "age": t(split.age[tgt]),
        "motion": t(camera_motion(split, tgt, m["camera"]["orbit"])),
        "environment": t(split.environment[tgt]),
    }


def rollout(world, batch, conditioned, noise_max, backprop_ticks=1, choices=None):
    """Predict R ticks in a row. After the first, the ring holds the model's own
    predictions (rounded to the uint8 levels the server's ring holds), so training sees
    the errors it will make when serving (DIAMOND, Self-Forcing); each step also noises
    the ring by a random level in [0, noise_max] that the model is told (GameNGen).
    Gradients flow through the ring for `backprop_ticks` ticks before it is detached
    (truncated backpropagation through time; 1 = every tick on its own), so a tick also
    learns what its frame does to the next few. Returns the frames and the camera motions
    used; `choices`, when a list, gets the sprite layer's character logits of each tick."""
    ctx, preds, motions = batch["context"], [], []
    for r in range(batch["target"].shape[1]):
        level = torch.rand(ctx.shape[0], device=ctx.device) * noise_max
        noisy = ctx + level.view(-1, 1, 1, 1, 1) * torch.randn_like(ctx)
        if conditioned:
            pred, motion = world.step(noisy, level, actions=batch["actions"][:, r],
                                      instruction=batch["instruction"][:, r], age=batch["age"][:, r])
        else:
            pred, motion = world.step(noisy, level, motion=batch["motion"][:, r])
        preds.append(pred)
        motions.append(motion)
        if choices is not None:
            choices.append(world.instruct.sprite.logits)
        nxt = quantize(pred)
        if (r + 1) % backprop_ticks == 0:
            nxt = nxt.detach()
        ctx = torch.stack([ctx[:, 1] if (r + 1) % backprop_ticks else ctx[:, 1].detach(), nxt], 1)
    return torch.stack(preds, 1), torch.stack(motions, 1)


def continued(nxt, R, p, split, rng):
    """Which rows of a batch continue their window where the last batch ended (`nxt`: the
    record after it), each with probability p while its episode holds R more records: the
    base then trains on the states a closed loop drifts into, tens of ticks from the
    engine's frame, with the engine's frames of those ticks as targets (longer self-rollouts
    by truncated backpropagation across steps, at the cost of short ones)."""
    return (rng.random(len(nxt)) < p) & (nxt + R - 1 <= split.last[nxt - 1])


def texture(x, block=8):
    """How much fine detail each `block` x `block` region holds: the mean absolute
    difference from the 3x3 local mean, per channel. Blur lowers it; it does not care
    where inside the region the detail sits."""
    return F.avg_pool2d(fine_structure(x).abs(), block)


def frame_loss(pred, target, detail_weight):
    """L1 (the median, less blur than L2's mean) plus the L1 between the regions' texture
    amounts: a model that answers uncertainty with blur pays for the detail it lost, while
    detail in a slightly different place costs little (a texture-statistics term in the
    spirit of perceptual losses, with no pretrained network)."""
    return F.l1_loss(pred, target) + detail_weight * F.l1_loss(texture(pred), texture(target))


def detail(x):
    """Per frame, the fine detail it keeps (texture, averaged over the frame)."""
    return texture(x).mean((-3, -2, -1))


def settled(split):
    """Records whose look has settled: no instruction held (none in the last hold ticks,
    so no blend or biome journey is under way). Their environment is what they show."""
    return np.nonzero((split.instruction == 0).all(1))[0]


def start_batch(split, frames, idx, drop_prob, rng, device):
    """Text-to-frame samples: each settled frame with its environment as instruction
    tokens (value index + 1), each slot dropped to 0 (unspecified) with drop_prob, so
    any subset of slots can start a session."""
    tokens = split.environment[idx].astype(np.int64) + 1
    if rng is not None:
        tokens = np.where(rng.random(tokens.shape) < drop_prob, 0, tokens)
    return {"instruction": torch.from_numpy(tokens).to(device), "target": frames.get(idx, device)}


def init_sprites(sprite, split, frames, cfg, per_episode=40, per_character=1000, steady=0.06, opaque=3.0, clear=-4.0):
    """Starts each character's sprite from the training frames: the per-pixel median of
    its box over settled frames showing that character in full light (noon, and no rain:
    the engine dims the sprite by time and weather), at most `per_episode` from each
    episode so the ground behind it varies, which is the sprite wherever most frames have
    it; opaque (alpha logit `opaque`) where those frames agree (median absolute deviation
    below `steady`, frame units), transparent (`clear`: no visible box) where the ground varies.
    Training refines both."""
    slots = split.manifest["slotOrder"]
    values = split.manifest["instructionSlots"]
    top, left, h, w = sprite.box
    rng = np.random.default_rng(cfg["seed"])
    base = settled(split)
    env = split.environment[base]
    bright = np.ones(len(base), bool)
    for slot, lit in (("time", ("noon",)), ("weather", ("clear", "snow", "fog"))):
        if slot in slots:
            bright &= np.isin(env[:, slots.index(slot)], [values[slot].index(v) for v in lit if v in values[slot]])
    with torch.no_grad():
        for c in range(sprite.n_characters):
            mine = env[:, sprite.slot] == c
            pick = base[mine & bright] if (mine & bright).sum() >= 60 else base[mine]
            if len(pick) == 0:
                print(f"sprite init: no settled frame shows {values[slots[sprite.slot]][c]}; left as it is")
                continue
            rng.shuffle(pick)
            episode = split.first[pick]
            rank = np.array([np.sum(episode[:i] == e) for i, e in enumerate(episode)])
            pick = pick[rank < per_episode][:per_character]
            crops = frames.get(np.sort(pick), torch.device("cpu"))[:, :, top:top + h, left:left + w]
            median = crops.median(0).values
            spread = (crops - median).abs().median(0).values.mean(0, keepdim=True)
            sprite.rgb[c] = median
            sprite.alpha[c] = torch.where(spread < steady, opaque, clear)
            print(f"sprite init: {values[slots[sprite.slot]][c]} from {len(pick)} frames of "
                  f"{len(np.unique(split.first[pick]))} episodes, "
                  f"{(spread < steady).float().mean().item():.0%} of the box opaque", flush=True)


# -----------------------------------------------------------------------------
# evaluation on held-out episodes


@torch.no_grad()
def evaluate(stage, cfg, world, split, frames, eval_idx, device):
    """One-step and R-tick open-loop PSNR against the true frames, the hold-last-frame
    baseline, and how much of the true frames' fine detail the rollout keeps at its last
    tick (1.0 = as much as the engine; a blurred rollout scores well below)."""
    world.eval()
    if stage == "start":
        batch = start_batch(split, frames, eval_idx, 0.0, None, device)
        pred = world.start(batch["instruction"])
        return {"l1": F.l1_loss(pred, batch["target"]).item(),
                "detail": (detail(pred).mean() / detail(batch["target"]).mean()).item()}
    R = cfg[stage]["eval_rollout"]
    batch = window_batch(split, frames, eval_idx, cfg, R, 0.0, None, device)
    sprite = getattr(world.instruct, "sprite", None) if stage == "instruct" else None
    choices = [] if sprite is not None else None
    preds, motions = rollout(world, batch, stage == "instruct", 0.0, 1, choices)
    to_u8 = lambda x: output_to_frames(x.flatten(0, 1))  # noqa: E731
    truth = to_u8(batch["target"])
    scores = psnr(to_u8(preds), truth).view(len(eval_idx), R)
    last = output_to_frames(batch["context"][:, 1])
    hold = psnr(last.repeat_interleave(R, 0), truth).view(len(eval_idx), R)
    out = {
        "psnr_1": scores[:, 0].mean().item(),
        f"psnr_{R}": scores.mean().item(),
        "psnr_last": scores[:, -1].mean().item(),
        "hold_1": hold[:, 0].mean().item(),
        f"hold_{R}": hold.mean().item(),
        "detail_last": (detail(preds[:, -1]).mean() / detail(batch["target"][:, -1]).mean()).item(),
    }
    if stage == "instruct":
        scale = world.instruct.motion_scale
        out["motion_err"] = ((motions - batch["motion"]).abs() / scale).mean().item()
    if choices:  # the share of ticks whose sprite is the engine's character (16 ticks on its own frames)
        label = batch["environment"][..., sprite.slot]
        out["sprite_acc"] = (torch.stack(choices, 1).argmax(-1) == label).float().mean().item()
    return out


# -----------------------------------------------------------------------------
# one stage


def train_stage(stage, cfg, world, splits, frames, trained, resume, device):
    s = cfg[stage]
    module = getattr(world, stage)
    world.requires_grad_(False)
    module.requires_grad_(True)
    # The sprite layer's bank is raw pixels and alpha logits: it learns at sprite_lr_scale x lr.
    fast = [module.sprite.rgb, module.sprite.alpha] if stage == "instruct" and hasattr(module, "sprite") else []
    slow = [p for p in module.parameters() if all(p is not q for q in fast)]
    groups = [{"params": slow, "scale": 1.0}]
    if fast:
        groups.append({"params": fast, "scale": s.get("sprite_lr_scale", 1.0)})
    opt = torch.optim.AdamW(groups, lr=s["lr"], weight_decay=s["weight_decay"])
    # Optional adversarial term (adversarial.py): a patch critic trained beside the stage.
    adv = s.get("adversarial") if stage != "start" else None
    critic = PatchCritic(adv["widths"]).to(device) if adv else None
    critic_opt = torch.optim.Adam(critic.parameters(), lr=adv["lr"], betas=(0.5, 0.999)) if adv else None
    requires = {k: trained[k] for k in DEPENDS[stage]}  # steps of the frozen parts
    torch.manual_seed(cfg["seed"] + STAGES.index(stage))
    rng = np.random.default_rng(cfg["seed"] + STAGES.index(stage))
    step, metrics, init = 0, {}, None

    def save(metrics):
        save_checkpoint(cfg, stage, {
            "stage": stage, "step": step, "model": module.state_dict(), "optimizer": opt.state_dict(),
            "config": cfg, "data": dataset_info(splits["train"].manifest), "requires": requires,
            "rng": {"numpy": rng.bit_generator.state, "torch": torch.get_rng_state()}, "metrics": metrics,
            "init": init,
            **({"critic": critic.state_dict(), "critic_optimizer": critic_opt.state_dict()} if critic else {}),
        })

    sprite = getattr(world.instruct, "sprite", None) if stage == "instruct" else None
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
        if critic is not None:
            if "critic" not in ck:  # a fresh critic would push the base at once, knowing nothing
                raise SystemExit(f"{checkpoint_path(cfg, stage)} was trained without {stage}.adversarial: "
                                 "resume it without, or delete it to start over")
            critic.load_state_dict(ck["critic"])
            critic_opt.load_state_dict(ck["critic_optimizer"])
        step, metrics, init = ck["step"], ck["metrics"], ck.get("init")
        rng.bit_generator.state = ck["rng"]["numpy"]
        torch.set_rng_state(ck["rng"]["torch"])
    else:
        ck = load_init(cfg, stage, module)
        if ck is not None:
            init = {"from": cfg["init"], "step": ck["step"], "metrics": ck["metrics"]}
            if s["steps"] == 0:  # taken over as it is (a frozen stage of a fine-tune)
                step, metrics, init = ck["step"], ck["metrics"], None
        elif stage == "instruct":
            world.instruct.copy_base(world.base)
        grade = getattr(world.instruct, "grade", None) if stage == "instruct" else None
        if grade is not None:
            init_grade(grade, splits["train"], frames["train"], cfg, settled(splits["train"]))
        particles = getattr(world.instruct, "particles", None) if stage == "instruct" else None
        if particles is not None:
            train = splits["train"]
            init_particles(particles, grade, cfg, train.manifest["slotOrder"], train.height, train.width)
        if sprite is not None:
            init_sprites(sprite, splits["train"], frames["train"], cfg)
        if sprite is not None or grade is not None or particles is not None:
            if step >= s["steps"]:  # new layers on a taken-over stage: their own held-out figures
                held = splits["heldout"].windows(s["eval_rollout"])
                eval_idx = np.sort(np.random.default_rng(cfg["seed"]).permutation(held)[:s["eval_samples"]])
                metrics = evaluate(stage, cfg, world, splits["heldout"], frames["heldout"], eval_idx, device)
                log(cfg, {"stage": stage, "step": step, "eval": "heldout", **metrics})
                layers = [name for name, layer in (("sprite", sprite), ("grade", grade), ("particles", particles))
                          if layer is not None]
                init = {"from": cfg["init"], "step": step, "layers": layers,
                        "trained": "initialised (fitted) from the data, not trained further"}
        if step >= s["steps"]:
            save(metrics)
    if step >= s["steps"]:
        print(f"{stage}: done ({step}/{s['steps']} steps), skipping")
        return step

    if stage == "start":
        train_idx, eval_idx = (settled(splits[n]) for n in ("train", "heldout"))
        eval_idx = np.sort(np.random.default_rng(cfg["seed"]).permutation(eval_idx)[:s["eval_samples"]])
    else:
        train_idx = splits["train"].windows(s["rollout"])
        held = splits["heldout"].windows(s["eval_rollout"])
        eval_idx = np.sort(np.random.default_rng(cfg["seed"]).permutation(held)[:s["eval_samples"]])

    carried = None  # (first records, context) of the rows the next batch may continue (`carry`)
    if s.get("carry") and s["rollout"] < 2:
        raise SystemExit(f"{stage}.carry continues from the last two frames of a rollout: rollout must be at least 2")

    def get_batch():
        idx = rng.choice(train_idx, s["batch_size"])
        if stage == "start":
            return start_batch(splits["train"], frames["train"], idx, s["drop_prob"], rng, device)
        go_on = None
        if carried is not None:
            go_on = continued(carried[0], s["rollout"], s["carry"], splits["train"], rng)
            idx = np.where(go_on, carried[0], idx)
        batch = window_batch(splits["train"], frames["train"], idx, cfg, s["rollout"], s["prompt_prob"], rng, device)
        if go_on is not None and go_on.any():
            keep = torch.from_numpy(go_on).to(device).view(-1, 1, 1, 1, 1)
            batch["context"] = torch.where(keep, carried[1], batch["context"])
        batch["first"] = idx
        return batch

    n_params = sum(p.numel() for p in module.parameters())
    print(f"{stage}: {n_params / 1e6:.2f} M trainable parameters, steps {step} -> {s['steps']}, "
          f"{len(train_idx)} training samples, {len(eval_idx)} held-out")
    losses, critic_losses, t0, began = [], [], time.time(), time.time()
    while step < s["steps"]:
        if s["max_minutes"] and time.time() - began > 60 * s["max_minutes"]:
            print(f"{stage}: max_minutes ({s['max_minutes']}) reached at step {step}; ending the stage here")
            metrics = evaluate(stage, cfg, world, splits["heldout"], frames["heldout"], eval_idx, device)
            log(cfg, {"stage": stage, "step": step, "eval": "heldout", **metrics})
            save(metrics)
            break
        lr = lr_at(s, step)
        for group in opt.param_groups:
            group["lr"] = lr * group["scale"]
        module.train()
        batch = get_batch()
        if stage == "start":
            loss = frame_loss(world.start(batch["instruction"]), batch["target"], s["detail_weight"])
        else:
            choices = [] if sprite is not None else None
            preds, motions = rollout(world, batch, stage == "instruct", s["context_noise"],
                                     s.get("backprop_ticks", 1), choices)
            loss = frame_loss(preds, batch["target"], s["detail_weight"])
            if s.get("carry"):  # the rows' own last two frames, for the next batch to continue from
                carried = (batch["first"] + s["rollout"], quantize(preds[:, -2:]).detach())
            if critic is not None and step >= adv.get("warmup", 0):  # once the critic has learnt something
                loss = loss + adv["weight"] * generator_loss(critic, preds)
            if choices:  # the engine's character label teaches the sprite layer's reader (training only)
                label = batch["environment"][..., sprite.slot]
                loss = loss + s.get("sprite_weight", 0.0) * F.cross_entropy(
                    torch.stack(choices, 1).flatten(0, 1), label.flatten())
        if stage == "instruct":
            scale = world.instruct.motion_scale
            loss = loss + s["motion_weight"] * F.mse_loss(motions / scale, batch["motion"] / scale)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), s["grad_clip"])
        opt.step()
        if critic is not None:  # then the critic, on the same real frames and these (now fixed) frames
            critic_opt.zero_grad(set_to_none=True)
            c_loss = critic_loss(critic, batch["target"], preds)
            c_loss.backward()
            critic_opt.step()
            critic_losses.append(c_loss.item())
        step += 1
        losses.append(loss.item())

        if step % s["log_every"] == 0 or step == s["steps"]:
            dt = time.time() - t0
            log(cfg, {"stage": stage, "step": step, "of": s["steps"], "loss": float(np.mean(losses)), "lr": lr,
                      **({"critic": float(np.mean(critic_losses))} if critic_losses else {}),
                      "samples/s": len(losses) * s["batch_size"] / dt,
                      "eta": duration((s["steps"] - step) * dt / len(losses))})
            losses, critic_losses = [], []
        if step % s["eval_every"] == 0 or step == s["steps"]:
            metrics = evaluate(stage, cfg, world, splits["heldout"], frames["heldout"], eval_idx, device)
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
                   help="override a config value, e.g. base.steps=200")
    args = p.parse_args()

    cfg = load_config(args.config, args.set)
    torch.set_num_threads(cfg["threads"])
    device = torch.device(cfg["device"])
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"{args.config} asks for device cuda, but this PyTorch sees no CUDA device")
    os.makedirs(cfg["out_dir"], exist_ok=True)
    world, _ = build_world(cfg)
    world.to(device)
    hold = cfg["model"]["instruction_hold"]
    splits = {name: Split(cfg["data"], name, hold) for name in ("train", "heldout")}
    t0 = time.time()
    frames = {name: Frames(split) for name, split in splits.items()}
    print(f"frames in memory: {sum(len(s) for s in splits.values())} in {time.time() - t0:.0f} s", flush=True)

    stages = STAGES if args.stage == "all" else (args.stage,)
    trained = {}  # stage -> step of the weights now in `world`
    for stage in DEPENDS[stages[0]]:  # the frozen parts the first stage builds on
        if not os.path.exists(checkpoint_path(cfg, stage)):
            raise SystemExit(f"stage {stages[0]} needs {checkpoint_path(cfg, stage)}: train stage {stage} first")
        ck = read_checkpoint(cfg, stage)
        getattr(world, stage).load_state_dict(ck["model"])
        trained[stage] = ck["step"]
    for stage in stages:
        trained[stage] = train_stage(stage, cfg, world, splits, frames, trained, args.resume, device)


if __name__ == "__main__":
    main()
