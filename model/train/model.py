"""
worldtick's generator, "warp and refine": GameGen-O's two parts at a size that steps in
real time on two CPU threads, working on pixels instead of a blurry latent.

  CameraWarp    moves the last frame's pixels by a camera motion (yaw, forward, right)
                with the game camera's pinhole/flat-ground geometry: camera motion
                becomes geometry the loss cannot average away, and copied pixels keep
                their contrast (CDNA, Deep Voxel Flow; GameCraft's keys-to-camera)
  BaseGenerator video continuation along a camera path: from the warped last frame,
                the last two frames and where the warp had no source, predicts a gate
                (warped scene vs the unmoved last frame, for the player sprite the
                camera follows) and a residual (new content, animation, repairs)
  InstructNet   the conditioning branch trained second on the frozen base: a camera
                head (the last A actions -> this tick's camera motion) and a trainable
                copy of the base's encoder, FiLM-conditioned on the actions and the held
                instruction tokens, adding zero-initialised residuals to the base

  SpriteLayer   (0.3, with InstructNet) the player's character as learned per-character
                RGBA sprites composited at the camera's follow point; the context frames
                reach the warp and the base with the sprite filled in from around it
  GradeLayer    (0.4, with InstructNet) weather, time of day and events as colour grades
                fitted on scenes the engine rendered under every value, blended in over
                the engine's 16 transition ticks
  ParticleLayer (0.5, with InstructNet) rain streaks and snowflakes read off the same
                scenes, drawn every tick while the weather lasts (0.5.2: snow falls)

  StartNet      the text-to-frame half: a first frame from structured instructions alone
                (any slot may be left unspecified), so a session can start without an
                engine frame or a video prompt

A tick is: instruct.camera(actions) -> [particles.clean] -> [sprite.clean] -> warp -> base
(+ instruct residuals) -> [fill (tried): the base's output only where the warp revealed new
ground] -> [grade] -> [sprite composite] -> [particles] -> frame.
Frames are float [B, 3, H, W] in [-1, 1] inside the model, uint8 NHWC outside.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

GROUPS = 8  # GroupNorm groups; every width in a config must be a multiple of it
AGE_SCALES = (2.0, 8.0, 32.0)  # ticks; an instruction's age enters as exp(-age / scale)
MOTION_SCALE = (0.1, 0.5, 0.5)  # yaw (rad), forward, right (cells): typical per-tick sizes
GATE_BIAS = 4.0  # the base starts by showing the warped frame (sigmoid(4) = 0.98)
INSTRUCTED = 30.0  # logit a held character instruction adds to its sprite: the instruction selects it outright


def conv3x3(cin, cout, stride=1, dilation=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation)


def zero_init(layer):
    """Start a layer at exactly zero output, so a new branch begins as a no-op
    (ControlNet's zero convolutions; GameGen-O's InstructNet does the same)."""
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def frames_to_input(frames):
    """uint8 [..., H, W, 3] RGB (the dataset's and the server's layout) -> float [..., 3, H, W] in [-1, 1]."""
    n = frames.dim()  # positive axes only: the ONNX exporter mishandles negative ones
    return frames.permute(*range(n - 3), n - 1, n - 3, n - 2).float() / 127.5 - 1.0


def output_to_frames(x):
    """float [B, 3, H, W] -> uint8 [B, H, W, 3], rounded, as the encoder downstream gets it."""
    return ((x.clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1)


def quantize(x):
    """The frame the ring will hold: rounded to uint8 levels, with a straight-through gradient."""
    q = ((x.clamp(-1.0, 1.0) + 1.0) * 127.5).round() / 127.5 - 1.0
    return x + (q - x).detach()


def instruction_tokens(slot_sizes, dim):
    """One embedding table for every slot's tokens (0 = none, then the slot's values), and
    each slot's offset into it: slot s's tokens 0..n live at offset[s]..offset[s]+n."""
    offsets = torch.tensor([0] + [n + 1 for n in slot_sizes[:-1]]).cumsum(0)
    return offsets, nn.Embedding(sum(n + 1 for n in slot_sizes), dim)


def film(linear, c):
    """A (scale, shift) pair per channel from condition vectors c, shaped for [B, C, H, W]."""
    return linear(c)[:, :, None, None].chunk(2, 1)


class CameraWarp(nn.Module):
    """Samples the last frame where each output pixel's scene point was one tick ago.

    Geometry of the game camera (config `camera`): a pinhole with focal length `focal`
    pixels and the horizon at row `horizon`, `height` cells above flat ground. A turn by
    yaw (+ = left) slides every column along the pinhole's tangent; walking forward d
    pulls ground rows towards the horizon by y -> y / (1 + d y / (height focal)); a step
    right s slides ground columns by s y / height. The sky (above the horizon) is only
    turned. Returns the warped frame and a mask of pixels whose source lies inside the
    last frame (0 = newly revealed: the base has to invent them)."""

    def __init__(self, height, width, camera, padding="border"):
        super().__init__()
        if padding not in ("border", "reflection"):
            raise ValueError(f"warp padding must be 'border' or 'reflection'; got {padding!r}")
        self.padding = padding  # what fills pixels whose source lies outside the last frame
        self.focal, self.ground = camera["focal"], camera["height"]
        rows = torch.arange(height, dtype=torch.float32) + 0.5 - camera["horizon"]
        cols = torch.arange(width, dtype=torch.float32) + 0.5 - width / 2
        self.register_buffer("u", cols.view(1, 1, width).expand(1, height, width).clone())
        self.register_buffer("y", rows.view(1, height, 1).expand(1, height, width).clone())
        self.half_w, self.half_h, self.horizon = width / 2, height / 2, camera["horizon"]

    def grid(self, motion):
        yaw, forward, right = (motion[:, i].view(-1, 1, 1) for i in range(3))
        # Undo the turn: the column's ray angle minus the yaw, back through the pinhole.
        u = self.focal * torch.tan(torch.atan(self.u / self.focal) - yaw)
        # Undo the step on the ground plane; rows at or above the horizon keep their place.
        y = self.y.clamp(min=0.0)
        shrink = 1.0 / (1.0 + forward * y / (self.ground * self.focal))
        u = u * torch.where(self.y > 0, shrink, torch.ones_like(shrink)) + right * y * shrink / self.ground
        rows = torch.where(self.y > 0, y * shrink, self.y)
        gx = u / self.half_w
        gy = (rows + self.horizon) / self.half_h - 1.0
        return torch.stack([gx, gy], -1)

    def forward(self, frame, motion):
        grid = self.grid(motion)
        inside = ((grid.abs() <= 1.0).all(-1)).float().unsqueeze(1)
        # Bicubic: bilinear resampling every tick washes texture out within a second (20
        # sub-pixel shifts keep 12% of the fine detail with bilinear, 80% with bicubic).
        warped = F.grid_sample(frame, grid, mode="bicubic", padding_mode=self.padding, align_corners=False)
        return warped, inside


class ResBlock(nn.Module):
    """x + conv(silu(norm(conv(silu(norm(x)))))), with an optional FiLM (scale, shift)
    after the first norm: adaptive normalisation, where conditions enter (DIAMOND)."""

    def __init__(self, width, dilation=1):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, width)
        self.conv1 = conv3x3(width, width, dilation=dilation)
        self.norm2 = nn.GroupNorm(GROUPS, width)
        self.conv2 = conv3x3(width, width, dilation=dilation)

    def forward(self, x, film=None):
        h = self.norm1(x)
        if film is not None:
            scale, shift = film
            h = h * (1 + scale) + shift
        h = self.conv1(F.silu(h))
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class Upsample(nn.Module):
    """2x up by a conv to 4x the channels and a pixel shuffle (sub-pixel convolution)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = conv3x3(cin, 4 * cout)

    def forward(self, x):
        return F.pixel_shuffle(self.conv(x), 2)


class Encoder(nn.Module):
    """The U-Net's way down from the full-size stem features: one block per level at 1/2
    and 1/4 size, then dilated blocks at 1/8 (a receptive field as wide as the frame).
    Returns the skips (the stem's and each level's output) and every block's output,
    the latter for InstructNet's residuals."""

    def __init__(self, widths, dilations):
        super().__init__()
        w0, w1, w2, w3 = widths
        self.downs = nn.ModuleList([conv3x3(w0, w1, stride=2), conv3x3(w1, w2, stride=2), conv3x3(w2, w3, stride=2)])
        self.blocks = nn.ModuleList([ResBlock(w1), ResBlock(w2)] + [ResBlock(w3, d) for d in dilations])
        self.widths = [w1, w2] + [w3] * len(dilations)
        self.level_blocks = [[0], [1], list(range(2, len(self.blocks)))]  # block indices per level

    def forward(self, stem, films=None, adds=None):
        """`films`: one (scale, shift) per block or None; `adds`: one feature map to add
        after each block (InstructNet's residuals) or None."""
        skips, feats, h = [stem], [], stem
        for level, down in enumerate(self.downs):
            h = down(F.silu(h))
            for i in self.level_blocks[level]:
                h = self.blocks[i](h, None if films is None else films[i])
                if adds is not None:
                    h = h + adds[i]
                feats.append(h)
            skips.append(h)
        return skips, feats


class BaseGenerator(nn.Module):
    """Video continuation along a camera path: a small U-Net over the warped last frame,
    the last two frames and the warp's inside-mask, conditioned (adaptive norm) on the
    camera motion and on the noise level of its context (GameNGen's augmentation; 0 at
    serving). Output: gate * warped + (1 - gate) * last + residual."""

    IN_CHANNELS = 10  # warped (3), last frame (3), the one before (3), inside-mask (1)

    def __init__(self, widths, dilations, cond_dim):
        super().__init__()
        w0, w1, w2, w3 = widths
        self.stem = conv3x3(self.IN_CHANNELS, w0)
        self.encoder = Encoder(widths, dilations)
        self.cond = nn.Sequential(nn.Linear(4, cond_dim), nn.SiLU(), nn.Linear(cond_dim, cond_dim), nn.SiLU())
        self.films = nn.ModuleList(zero_init(nn.Linear(cond_dim, 2 * w)) for w in self.encoder.widths)
        self.register_buffer("motion_scale", torch.tensor(MOTION_SCALE))
        self.ups = nn.ModuleList([Upsample(w3, w2), Upsample(w2, w1), Upsample(w1, w0)])
        self.head = nn.Sequential(nn.GroupNorm(GROUPS, w0), nn.SiLU(), conv3x3(w0, 4))
        nn.init.zeros_(self.head[-1].weight)
        with torch.no_grad():
            self.head[-1].bias.copy_(torch.tensor([0.0, 0.0, 0.0, GATE_BIAS]))

    def embed(self, warped, inside, last, before):
        return self.stem(torch.cat([warped, last, before, inside], 1))

    def forward(self, stem, warped, last, motion, level, adds=None):
        c = self.cond(torch.cat([motion / self.motion_scale, level[:, None]], 1))
        films = [film(f, c) for f in self.films]
        skips, _ = self.encoder(stem, films, adds)
        h = skips[-1]
        for up, skip in zip(self.ups, reversed(skips[:-1])):
            h = up(F.silu(h)) + skip
        out = self.head(h)
        gate = torch.sigmoid(out[:, 3:])
        return gate * warped + (1 - gate) * last + out[:, :3]


class InstructNet(nn.Module):
    """The conditioning branch. A camera head maps the last A actions (oldest first, the
    newest is this tick's) to this tick's camera motion: the game's turning and walking
    have momentum, so the history decides it. The actions and the held instructions
    (token + age per slot) become one condition vector c, which FiLM-conditions a
    trainable copy of the base's encoder; each of its blocks hands a residual to the
    base through a zero-initialised 1x1 conv, so training starts at the frozen base."""

    def __init__(self, widths, dilations, history, n_actions, slot_sizes, cond_dim):
        super().__init__()
        self.camera = nn.Sequential(
            nn.Linear(history * n_actions, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 3))
        self.register_buffer("motion_scale", torch.tensor(MOTION_SCALE))
        self.idle_still = False  # set by WorldModel from the config's `idle_still`
        self.action_embed = nn.Linear(history * n_actions, cond_dim)
        offsets, self.token_embed = instruction_tokens(slot_sizes, cond_dim)
        self.register_buffer("slot_offset", offsets)
        self.register_buffer("age_scales", torch.tensor(AGE_SCALES))
        self.age_embed = nn.Linear(len(slot_sizes) * len(AGE_SCALES), cond_dim)
        self.cond = nn.Sequential(nn.SiLU(), nn.Linear(cond_dim, cond_dim), nn.SiLU())
        self.encoder = Encoder(widths, dilations)
        self.films = nn.ModuleList(zero_init(nn.Linear(cond_dim, 2 * w)) for w in self.encoder.widths)
        self.outs = nn.ModuleList(zero_init(nn.Conv2d(w, w, 1)) for w in self.encoder.widths)

    def motion(self, actions):
        """Camera motion (yaw, forward, right) of this tick from the action history [B, A, keys].
        With `idle_still`, less the motion it gives for a history of no keys at all: the head
        learned the engine's coasting after a walk (0.035 cells a tick forward for an idle
        history, 5x the data's mean), and a closed loop that walks on every idle tick zooms
        the picture into a blur within a second."""
        motion = self.camera(actions.flatten(1))
        if self.idle_still:
            motion = motion - self.camera(torch.zeros_like(actions[:1]).flatten(1))
        return motion * self.motion_scale

    def forward(self, stem, actions, instruction, age):
        held = (instruction > 0).float().unsqueeze(-1)
        ages = torch.exp(-age.unsqueeze(-1) / self.age_scales) * held  # [B, slots, scales]
        c = self.action_embed(actions.flatten(1))
        c = c + self.token_embed(instruction + self.slot_offset).sum(1)
        c = self.cond(c + self.age_embed(ages.flatten(1)))
        films = [film(f, c) for f in self.films]
        _, feats = self.encoder(stem, films)
        return [out(f) for f, out in zip(feats, self.outs)]

    def copy_base(self, base):
        """ControlNet's start: the branch's encoder begins as a copy of the trained base encoder."""
        self.encoder.load_state_dict(base.encoder.state_dict())


class StartNet(nn.Module):
    """Instruction tokens [B, slots] (0 = unspecified) -> a first frame. A learned 8x8 map,
    FiLM-conditioned on the summed token embeddings, is upsampled 2x four times to the
    frame size; trained with the same texture term as the generator, so it draws ground
    detail instead of the blurred average of all matching worlds."""

    def __init__(self, height, width, slot_sizes, cond_dim, widths=(64, 48, 32, 24, 16)):
        super().__init__()
        offsets, self.token_embed = instruction_tokens(slot_sizes, cond_dim)
        self.register_buffer("slot_offset", offsets)
        self.cond = nn.Sequential(nn.SiLU(), nn.Linear(cond_dim, cond_dim), nn.SiLU())
        self.seed = nn.Parameter(torch.randn(1, widths[0], height // 16, width // 16) * 0.1)
        # One block per level below full size; the full-size level only gets the head (cost).
        self.blocks = nn.ModuleList(ResBlock(w) for w in widths[:-1])
        self.films = nn.ModuleList(zero_init(nn.Linear(cond_dim, 2 * w)) for w in widths[:-1])
        self.ups = nn.ModuleList(Upsample(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.head = nn.Sequential(nn.GroupNorm(GROUPS, widths[-1]), nn.SiLU(), conv3x3(widths[-1], 3))

    def forward(self, instruction):
        c = self.cond(self.token_embed(instruction + self.slot_offset).sum(1))
        h = self.seed.expand(instruction.shape[0], -1, -1, -1)
        for block, linear, up in zip(self.blocks, self.films, self.ups):
            h = up(F.silu(block(h, film(linear, c))))
        return self.head(h)


class SpriteLayer(nn.Module):
    """The player's character as a learned layer (worldtick-warp 0.3). The engine draws the
    character the camera follows at a fixed place on screen (centred, feet on a row set by
    the camera's height above the player), so the model keeps one learned RGBA sprite per
    character value in a `box` [top, left, height, width] around that place and composites
    it over the refined frame every tick, instead of carrying the sprite through the warp
    (which drags it into a streak when walking).

    Which character: the last frame's box (the sprite the model drew itself a tick ago, or
    the prompt's) is matched against every sprite of the bank, and a small MLP adds the
    held character instruction (token and age), so a `character=...` instruction switches
    it and the frame remembers it after the instruction's hold ends. How bright: one gain per colour channel from the last frame's
    8x8 mean colours (the engine lights the sprite by time of day and weather).

    `clean` removes the sprite from a context frame before the warp and the base see it
    (normalised-convolution fill from the surrounding pixels under the union of the
    sprites' masks), so walking does not smear the character's colours over the ground."""

    def __init__(self, height, width, n_characters, slot, box, hidden=64, clean=True, clear_alpha=0.0):
        super().__init__()
        self.cleans = clean  # whether the context frames reach the warp and the base without the sprite
        self.clear_alpha = clear_alpha  # composited alphas below it count as clear (0: none do)
        top, left, h, w = box
        if top < 0 or left < 0 or top + h > height or left + w > width or h % 4 or w % 4:
            raise ValueError(f"sprite box {box} must lie inside {height}x{width} with sides divisible by 4")
        self.box, self.slot, self.size = tuple(box), slot, (height, width)
        self.rgb = nn.Parameter(torch.zeros(n_characters, 3, h, w))  # frame units [-1, 1]
        self.alpha = nn.Parameter(torch.zeros(n_characters, 1, h, w))  # logits
        self.sharpness = nn.Parameter(torch.tensor(10.0))  # misfit -> logit
        self.register_buffer("age_scales", torch.tensor(AGE_SCALES))
        n_tokens = n_characters + 1
        # Which character (the misfits, the frame's colours, the held instruction) and how
        # bright (the frame's colours): separate heads, so the first's strong gradients early
        # in training cannot swing the second. Both start as no-ops: the template's choice, gain 1.
        self.pick = nn.Sequential(nn.Linear(n_characters + 3 * 64 + n_tokens * (1 + len(AGE_SCALES)), hidden),
                                  nn.SiLU(), nn.Linear(hidden, n_characters))
        self.light = nn.Sequential(nn.Linear(3 * 64, hidden), nn.SiLU(), nn.Linear(hidden, 3))
        zero_init(self.pick[-1])
        zero_init(self.light[-1])
        self.n_characters = n_characters

    def place(self, x):
        """A [B, C, h, w] box-sized map padded with zeros to the frame."""
        top, left, h, w = self.box
        H, W = self.size
        return F.pad(x, (left, W - left - w, top, H - top - h))

    def mask(self):
        """Where any character's sprite covers the frame (alpha over a half): [1, 1, H, W], dilated
        by a pixel. Binary, so the fill cannot seep into the rest of the box tick after tick."""
        a = (torch.sigmoid(self.alpha.detach()).max(0, keepdim=True)[0] > 0.5).float()
        return F.max_pool2d(self.place(a), 3, 1, 1)

    def clean(self, frame):
        """The frame with the sprite's place filled from around it (normalised convolution at
        half size: the blurred frame outside the mask over the blurred mask)."""
        keep = 1 - self.mask()
        num, den = F.avg_pool2d(frame * keep, 2), F.avg_pool2d(keep, 2)
        for _ in range(2):
            num, den = F.avg_pool2d(num, 11, 1, 5), F.avg_pool2d(den, 11, 1, 5)
        fill = F.interpolate(num / den.clamp_min(1e-4), scale_factor=2.0, mode="bilinear", align_corners=False)
        return frame * keep + fill * (1 - keep)

    def misfit(self, crop):
        """How badly each character's sprite explains the box [B, characters]: with one gain
        per colour channel fitted by least squares under the sprite's alpha, the squared
        misfit relative to the box's own spread (0 = exactly that sprite, lit somehow).
        Reading the frame against the bank itself keeps the choice consistent in closed
        loop: a sprite the layer drew is read back as itself."""
        a = torch.sigmoid(self.alpha.detach()).flatten(1)[None, :, None, :]  # [1, C, 1, hw]
        r = ((self.rgb.detach() + 1) / 2).flatten(2)[None]  # [1, C, 3, hw]
        o = ((crop + 1) / 2).flatten(2)[:, None]  # [B, 1, 3, hw]
        gain = (a * o * r).sum(-1, keepdim=True) / (a * r * r).sum(-1, keepdim=True).clamp_min(1e-6)
        weight = a.sum(-1, keepdim=True).clamp_min(1e-6)
        mean = (a * o).sum(-1, keepdim=True) / weight
        err = (a * (o - gain * r) ** 2).sum((-2, -1))
        spread = (a * (o - mean) ** 2).sum((-2, -1)).clamp_min(1e-6)
        return err / spread

    def choose(self, last, instruction, age):
        """Per row: the mix of characters (softmax) and the per-channel gain."""
        top, left, h, w = self.box
        crop = last[:, :, top:top + h, left:left + w]
        seen = self.misfit(crop)
        colours = F.adaptive_avg_pool2d(last, 8).flatten(1)
        token = instruction[:, self.slot]
        onehot = F.one_hot(token, self.n_characters + 1).float()
        held = torch.exp(-age[:, self.slot, None] / self.age_scales)  # [B, scales]
        aged = (onehot[:, :, None] * held[:, None, :]).flatten(1)
        pick = self.pick(torch.cat([seen, colours, onehot, aged], 1))
        # A held `character=x` selects x's sprite outright (a rule, not learned: in 700 steps the
        # learned path had not picked the token up); otherwise the frame's own sprite is read.
        held_token = onehot[:, :1].neg() + 1  # 1 while a character instruction is held
        self.logits = (pick - self.sharpness * seen) * (1 - held_token) + INSTRUCTED * onehot[:, 1:]  # kept for the auxiliary loss
        return torch.softmax(self.logits, 1), 2 * torch.sigmoid(self.light(colours))

    def forward(self, frame, last, instruction, age):
        """Composites the chosen sprite over `frame`, reading the character from `last`."""
        probs, gain = self.choose(last, instruction, age)
        B, (_, _, h, w) = probs.shape[0], self.rgb.shape
        rgb = (probs @ self.rgb.flatten(1)).view(B, 3, h, w)
        alpha = (probs @ torch.sigmoid(self.alpha).flatten(1)).view(B, 1, h, w)
        if self.clear_alpha > 0:
            # Nearly clear pixels are clear: a faint alpha composited every tick draws the box's
            # median background into the frame, tick after tick, until the box shows.
            alpha = F.relu(alpha - self.clear_alpha) / (1 - self.clear_alpha)
        rgb = (rgb + 1) * gain[:, :, None, None] - 1
        a = self.place(alpha)
        return frame * (1 - a) + self.place(rgb) * a


class GradeLayer(nn.Module):
    """Weather, time of day and events as colour grades (worldtick-warp 0.4; part of
    InstructNet). The engine shows these values mostly as light and colour: the sky's
    palette, the light on the ground, overcast and fog, an event's tint. Per slot, value
    u to value v is one affine map per colour channel and row (`gain`, `shift`, fitted on
    the same scenes rendered under every value: model/dataset/look-pairs.ts), and a
    softmax `reader` on a frame's 8x8 mean colours says which value it shows (the runtime
    holds only the newest instruction, not the value it replaces).

    While a slot's instruction v is held, the map from u to v is blended in over
    `transition` ticks, as the engine blends: each tick undoes the share already applied
    and applies the next, so the ticks compose to the whole map once. Which u: for each
    candidate, the frame with that candidate's share undone, read by the reader; the
    candidate read as itself wins (softly). Reading the frame as it is instead would see
    the blend half done and stall it; a frame that already shows v maps to itself.

    Where the runtime knows u (worldtick-warp 0.6, format 3: `origin`, the value the held
    instruction replaced, 0 = unknown), it is used as given: on the generator's own hazy
    frames the reader named the wrong u in 29 of 72 scripted cases (fire read as tornado,
    snow as rain), and the wrong map then tints the picture away from v."""

    FEATURES = 3 * 64  # the 8x8 mean colours the reader reads

    def __init__(self, height, width, slots, n_values, transition):
        super().__init__()
        if height % 8 or width % 8:
            raise ValueError(f"the grade layer reads 8x8 blocks: frame sides must divide by 8; got {height}x{width}")
        self.block = (height // 8, width // 8)
        self.slots, self.transition = list(slots), float(transition)
        k, v = len(self.slots), n_values
        self.register_buffer("gain", torch.ones(k, v, v, 3, height))  # [slot, to v, from u, channel, row]
        self.register_buffer("shift", torch.zeros(k, v, v, 3, height))
        self.register_buffer("reader_weight", torch.zeros(k, self.FEATURES, v))
        self.register_buffer("reader_bias", torch.zeros(k, v))

    def features(self, frame):
        return F.avg_pool2d(frame, self.block).flatten(1)  # fixed kernel: the exporter needs static sizes

    def forward(self, frame, instruction, age, origin=None):
        for k, slot in enumerate(self.slots):
            token = instruction[:, slot]
            target = (token - 1).clamp(min=0)  # v (any value while none is held: `held` zeroes it)
            gain = self.gain[k][target]  # [B, from u, 3, rows]
            shift = self.shift[k][target]
            # The share of the way from u to v the engine's blend has reached before and after
            # this tick; 0 -> 0 when no instruction is held or its blend is over.
            held = (token > 0).float()[:, None, None, None]
            a = age[:, slot][:, None, None, None]
            before = (a / self.transition).clamp(max=1.0) * held
            after = ((a + 1) / self.transition).clamp(max=1.0) * held
            # Per candidate u, the frame as it was before the blend began (its share undone):
            # origin_u = scale_u * frame + offset_u, one affine map per channel and row.
            scale = 1 / (1 + before * (gain - 1)).clamp(min=0.05)
            offset = -before * shift * scale
            # Which u: the candidate whose own origin the reader reads as u. Reading the origin,
            # not the frame, keeps the answer steady while the blend darkens or tints the frame.
            # The maps are per row, so the origins' 8x8 block means follow from the frame's
            # per-row block means (no full-size origin is ever made).
            rows = F.avg_pool2d(frame, (1, self.block[1]))  # [B, 3, H, 8]
            origins = scale[..., None] * rows[:, None] + offset[..., None]  # [B, u, 3, H, 8]
            B, U, C, H, W8 = origins.shape
            blocks = origins.view(B, U, C, H // self.block[0], self.block[0], W8).mean(4)
            logits = torch.einsum("buf,fv->buv", blocks.flatten(2), self.reader_weight[k]) + self.reader_bias[k]
            own = torch.log_softmax(logits, -1).diagonal(0, 1, 2)
            p = torch.softmax(own, 1)  # [B, u]
            if origin is not None:  # a known u is taken as given
                given = origin[:, slot]
                known = F.one_hot((given - 1).clamp(min=0), p.shape[1]).to(p.dtype)
                p = torch.where((given > 0)[:, None], known, p)
            p = p[:, :, None, None]  # [B, u, 1, 1]
            # Each candidate's origin with `after` of its map applied, mixed: again one affine map.
            remap = 1 + after * (gain - 1)
            total_scale = (p * remap * scale).sum(1)[..., None]  # [B, 3, rows, 1]
            total_offset = (p * (remap * offset + after * shift)).sum(1)[..., None]
            frame = frame * total_scale + total_offset
        return frame


class ParticleLayer(nn.Module):
    """Rain streaks and snowflakes (worldtick-warp 0.5; part of InstructNet, fitted). The grade
    gives a weather's light and colour, but the engine also draws particles over everything;
    a base that predicts the mean of where they could be draws none. Per weather value this
    layer keeps one colour and opacity, read off the look pairs (the same scene under clear
    and under that weather, less the grade: what is left in thin bright marks is the
    particles), and what to draw:

    - a bank of masks (rain: the engine's streaks jump 40 px a tick, new ones every tick).
      Which mask: a fixed hash of the last frame, so the same inputs draw the same frame
      (replays stay exact), and the layer knows the mask it drew into the last frame from
      the frame before it;
    - or, for the values in `falling` (0.5.2: snow), one field of flakes that falls `fall`
      px a tick, wrapping round (the engine's flakes fall 0.6-1.6 px a tick). Which of its
      H positions the last frame shows is measured: the position whose flakes line up best
      with the frame's bright marks (`phase`). The next tick draws it `fall` px lower, so
      flakes drift down the screen instead of being drawn anew every tick.

    How strongly, per value: while an instruction for the slot is held, blended towards
    its value over the engine's transition ticks (the engine's particle count follows its
    blend); otherwise as strongly as the layer drew them a tick ago, which it measures in
    the last frame. The last frame carries the weather on: the world stays rainy after the
    instruction, however hazy the base makes it, until another weather is asked for. Only
    an instruction starts particles: reading the weather off the picture (the grade's
    reader) started rain and snow on hazy clear-sky frames that then never stopped. The
    same measurement removes last tick's particles from the context, so the base continues
    the world, not the rain, which would otherwise settle into it as a pale haze."""

    # A falling field's position is the best of H candidates, so bright texture alone reads as
    # a little of it; a strength read below this is none (else it would grow tick by tick).
    FALLING_FLOOR = 0.1

    def __init__(self, height, width, slot, n_values, values, bank, transition, falling=(), fall=1):
        super().__init__()
        self.slot, self.transition, self.n_values = slot, float(transition), n_values
        missing = [v for v in falling if v not in values]
        if missing:
            raise ValueError(f"model.particles.falling {missing} must be among model.particles.values {values}")
        self.falling = [values.index(v) for v in falling]  # positions among `values`
        self.banked = [i for i in range(len(values)) if i not in self.falling]
        self.fall = int(fall)
        # Only the values that have particles (rain, snow) are kept and computed.
        self.register_buffer("values", torch.tensor(values, dtype=torch.long), persistent=False)
        self.register_buffer("masks", torch.zeros(bank, len(self.banked), height, width))
        if self.falling:  # only then, so a checkpoint of a layer without one still loads
            self.register_buffer("field", torch.zeros(len(self.falling), height, width))
        self.register_buffer("colour", torch.zeros(len(values), 3))  # frame units
        self.register_buffer("opacity", torch.zeros(len(values)))
        floor = torch.zeros(len(values))
        floor[self.falling] = self.FALLING_FLOOR
        self.register_buffer("floor", floor, persistent=False)
        generator = torch.Generator().manual_seed(0)
        self.register_buffer("hash", torch.rand(1, 3, height, width, generator=generator) * 2 - 1,
                             persistent=False)
        y = torch.arange(height)
        # rows[y, p]: the field's row shown at row y when it has fallen p px (rolled down by p).
        self.register_buffer("rows", (y[:, None] - y[None, :]) % height, persistent=False)

    def masks_after(self, frame):
        """[B, banked values, H, W]: the bank's masks drawn in the tick after `frame` (a fixed-weight sum of it, its fraction)."""
        h = (frame * self.hash).sum((1, 2, 3)) * 97.0
        pick = ((h - torch.floor(h)) * self.masks.shape[0]).long().clamp(max=self.masks.shape[0] - 1)
        return self.masks.index_select(0, pick)

    def phase(self, frame):
        """[B, falling values]: how far each falling field has fallen in `frame` (0..H-1), the
        position whose flakes best cover the frame's bright marks (a pixel's luma above its 5x5 mean)."""
        luma = 0.299 * frame[:, 0] + 0.587 * frame[:, 1] + 0.114 * frame[:, 2]
        bright = (luma - F.avg_pool2d(luma[:, None], 5, 1, 2, count_include_pad=False)[:, 0]).clamp(min=0)
        B, H, _ = bright.shape
        phases = []
        for f in range(self.field.shape[0]):
            rowwise = torch.matmul(bright, self.field[f].t())  # [B, y, y']: row y of the frame on field row y'
            score = torch.gather(rowwise, 2, self.rows.expand(B, H, H)).sum(1)  # [B, p]
            phases.append(score.argmax(1))
        return torch.stack(phases, 1)

    def fallen(self, phase):
        """[B, falling values, H, W]: each falling field rolled down by `phase` px."""
        B, H, W = phase.shape[0], self.field.shape[1], self.field.shape[2]
        out = []
        for f in range(self.field.shape[0]):
            rows = self.rows.index_select(1, phase[:, f]).t().reshape(-1)  # [B * H]
            out.append(self.field[f].index_select(0, rows).view(B, H, W))
        return torch.stack(out, 1)

    def with_fallen(self, masks, phase):
        """[B, particle values, H, W]: the bank's `masks` with each falling value's field at `phase` in its place."""
        if not self.falling:
            return masks
        fallen, banked = self.fallen(phase).unbind(1), masks.unbind(1)
        channels = [fallen[self.falling.index(v)] if v in self.falling else banked[self.banked.index(v)]
                    for v in range(len(self.falling) + len(self.banked))]
        return torch.stack(channels, 1)

    def drawn(self, frame, masks):
        """[B, particle values] in [0, 1]: how strongly `masks` were drawn into `frame`. A drawn
        pixel is (1 - w opacity) x + w opacity colour; x is taken as the mean of the pixel's 5x5
        surroundings off the mask, and w is the least-squares fit over the mask's pixels."""
        B, V, H, W = masks.shape
        m = masks[:, :, None]  # [B, values, 1, H, W]
        off = 1 - masks
        around = (frame[:, None] * off[:, :, None]).reshape(B, V * 3, H, W)
        weight = F.avg_pool2d(off, 5, 1, 2).clamp(min=1e-3)[:, :, None]  # [B, values, 1, H, W]
        under = F.avg_pool2d(around, 5, 1, 2).view(B, V, 3, H, W) / weight
        towards = self.colour.view(1, -1, 3, 1, 1) - under  # [B, values, 3, H, W]
        num = (m * (frame[:, None] - under) * towards).sum((2, 3, 4))
        den = (m * towards * towards).sum((2, 3, 4)) * self.opacity
        strength = (num / den.clamp(min=1e-6)).clamp(0.0, 1.0)
        if self.falling:
            strength = strength * (strength >= self.floor).float()
        return strength

    def alphas(self, masks, strength):
        """[B, particle values, H, W]: each value's opacity map for `masks` drawn at `strength`."""
        return (strength * self.opacity)[:, :, None, None] * masks

    def draw(self, frame, masks, strength):
        a = self.alphas(masks, strength)
        for v in range(a.shape[1]):
            frame = frame * (1 - a[:, v:v + 1]) + self.colour[v].view(1, 3, 1, 1) * a[:, v:v + 1]
        return frame

    def clean(self, last, before):
        """`last` without the particles drawn on it the tick after `before`, undone in reverse
        order; how strongly they were drawn [B, particle values]; and where the falling fields
        stood in it [B, falling values] (None without any)."""
        phase = self.phase(last) if self.falling else None
        masks = self.with_fallen(self.masks_after(before), phase)
        strength = self.drawn(last, masks)
        a = self.alphas(masks, strength)
        for v in reversed(range(a.shape[1])):
            keep = (1 - a[:, v:v + 1]).clamp(min=0.1)
            last = (last - self.colour[v].view(1, 3, 1, 1) * a[:, v:v + 1]) / keep
        return last.clamp(-1.0, 1.0), strength, phase

    def forward(self, frame, last, instruction, age, carried, phase=None):
        """`frame` with this tick's particles; `last` is the frame before (as the ring holds it),
        `carried` the strength and `phase` the falling fields' positions measured in it (`clean`)."""
        token = instruction[:, self.slot]
        told = F.one_hot((token - 1).clamp(min=0), self.n_values).float().index_select(1, self.values)
        share = (((age[:, self.slot] + 1) / self.transition).clamp(0.0, 1.0) * (token > 0).float())[:, None]
        # One weather at a time, as the engine's: a value the frame shows less strongly than
        # another is not carried on, so snowflakes read under the rain masks cannot start rain.
        carried = carried * (carried >= carried.amax(1, keepdim=True)).float()
        strength = share * told + (1 - share) * carried
        after = None if phase is None else (phase + self.fall) % self.field.shape[1]
        return self.draw(frame, self.with_fallen(self.masks_after(last), after), strength)


class WorldModel(nn.Module):
    def __init__(self, cfg, height, width, n_actions, slot_sizes, slot_order=None):
        super().__init__()
        self.warp = CameraWarp(height, width, cfg["camera"], cfg.get("warp_padding", "border"))
        self.compose = cfg.get("compose", "refine")
        if self.compose not in ("refine", "fill"):
            raise ValueError(f"model.compose must be 'refine' or 'fill'; got {self.compose!r}")
        self.base = BaseGenerator(cfg["widths"], cfg["dilations"], cfg["cond_dim"])
        self.instruct = InstructNet(cfg["widths"], cfg["dilations"], cfg["action_history"], n_actions,
                                    slot_sizes, cfg["cond_dim"])
        self.instruct.idle_still = cfg.get("idle_still", False)
        sprite = cfg.get("sprite")
        if sprite:  # trained with the InstructNet stage (it conditions on the character instruction)
            if slot_order is None or sprite["slot"] not in slot_order:
                raise ValueError(f"model.sprite.slot {sprite['slot']!r} is not one of the slots {slot_order}")
            s = slot_order.index(sprite["slot"])
            self.instruct.sprite = SpriteLayer(height, width, slot_sizes[s], s, sprite["box"],
                                               clean=sprite.get("clean", True),
                                               clear_alpha=sprite.get("clear_alpha", 0.0))
        grade = cfg.get("grade")
        if grade:  # trained (fitted) with the InstructNet stage, like the sprite layer
            missing = [s for s in grade["slots"] if slot_order is None or s not in slot_order]
            if missing:
                raise ValueError(f"model.grade.slots {missing} are not among the slots {slot_order}")
            sizes = {slot_sizes[slot_order.index(s)] for s in grade["slots"]}
            if len(sizes) != 1:
                raise ValueError(f"model.grade.slots must have equally many values; got {sorted(sizes)}")
            self.instruct.grade = GradeLayer(height, width, [slot_order.index(s) for s in grade["slots"]], sizes.pop(),
                                             grade["transition"])
        particles = cfg.get("particles")
        if particles:  # fitted with the InstructNet stage, on the grade's look pairs and maps
            if not grade or particles["slot"] not in grade["slots"]:
                raise ValueError(f"model.particles.slot {particles['slot']!r} must be one of model.grade.slots")
            s = slot_order.index(particles["slot"])
            if not particles["values"] or not all(0 < v < slot_sizes[s] for v in particles["values"]):
                raise ValueError(f"model.particles.values {particles['values']} must be indices of "
                                 f"{particles['slot']} values other than the first (1..{slot_sizes[s] - 1})")
            self.instruct.particles = ParticleLayer(height, width, s, slot_sizes[s], particles["values"],
                                                    particles["bank"], grade["transition"],
                                                    particles.get("falling", ()), particles.get("fall", 1))
        self.start = StartNet(height, width, slot_sizes, cfg["cond_dim"])

    def step(self, context, level, motion=None, actions=None, instruction=None, age=None, origin=None):
        """One tick from the last two frames `context` [B, 2, 3, H, W] (oldest first).
        Stage 1 (the base alone) is given the camera `motion`; with `actions` the
        InstructNet predicts the motion itself and steers the base. `origin`: per slot the
        value token each held instruction replaced (0 = unknown; the grade reads it from
        the frame then). Returns the frame and the camera motion used."""
        before, last = context[:, 0], context[:, 1]
        sprite = getattr(self.instruct, "sprite", None) if actions is not None else None
        seen = last
        particles = getattr(self.instruct, "particles", None) if actions is not None else None
        if particles is not None:
            last, carried, phase = particles.clean(last, before)
        if sprite is not None and sprite.cleans:  # the base continues the world without the character
            before, last = sprite.clean(before), sprite.clean(last)
        if actions is not None:
            motion = self.instruct.motion(actions)
        warped, inside = self.warp(last, motion)
        stem = self.base.embed(warped, inside, last, before)
        adds = None if actions is None else self.instruct(stem, actions, instruction, age)
        frame = self.base(stem, warped, last, motion, level, adds)
        if self.compose == "fill":  # the base paints only what the warp reveals; seen pixels are copied
            frame = inside * warped + (1 - inside) * frame
        grade = getattr(self.instruct, "grade", None) if actions is not None else None
        if grade is not None:
            frame = grade(frame, instruction, age, origin)
        if sprite is not None:
            frame = sprite(frame, seen, instruction, age)
        if particles is not None:  # over everything, the character too, as the engine draws them
            frame = particles(frame, seen, instruction, age, carried, phase)
        return frame, motion
