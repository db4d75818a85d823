"""
worldtick's generator: GameGen-O's three parts at a size that steps in real time on two
CPU threads.

  AutoEncoder   frames [B, 3, 128, 128] in [-1, 1]  <->  latents [B, C, 16, 16]
  BaseGenerator next latent from the last K latents (video continuation, unconditioned)
  InstructNet   a trainable branch beside the frozen base that adds the conditions:
                the multi-hot action and the held instruction tokens

Latents are normalised (zero mean, unit std per channel, statistics tracked while the
autoencoder trains), so noise levels and losses mean the same thing for every config.
A tick is: base.embed -> instruct (optional) -> base.predict -> ae.decode.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

GROUPS = 8  # GroupNorm groups; every width in a config must be a multiple of it
AGE_SCALES = (2.0, 8.0, 32.0)  # ticks; an instruction's age enters as exp(-age / scale)


def conv3x3(cin, cout, stride=1, dilation=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation)


def zero_init(layer):
    """Start a layer at exactly zero output, so a new branch begins as a no-op
    (ControlNet's zero convolutions; GameGen-O's InstructNet does the same)."""
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def frames_to_input(frames):
    """uint8 [B, H, W, 3] RGB (the dataset's and the server's layout) -> float [B, 3, H, W] in [-1, 1]."""
    return frames.permute(0, 3, 1, 2).float() / 127.5 - 1.0


def output_to_frames(x):
    """float [B, 3, H, W] -> uint8 [B, H, W, 3], rounded, as the encoder downstream gets it."""
    return ((x.clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1)


class ResBlock(nn.Module):
    """x + conv(silu(norm(conv(silu(norm(x)))))). InstructNet's blocks also take a FiLM
    (scale, shift) after the first norm: that is where the conditions enter."""

    def __init__(self, width, dilation=1):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, width)
        self.conv1 = conv3x3(width, width, dilation=dilation)
        self.norm2 = nn.GroupNorm(GROUPS, width)
        self.conv2 = conv3x3(width, width, dilation=dilation)

    def forward(self, x, scale=None, shift=None):
        h = self.norm1(x)
        if scale is not None:
            h = h * (1 + scale) + shift
        h = self.conv1(F.silu(h))
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class Upsample(nn.Module):
    """2x up by a conv to 4x the channels and a pixel shuffle (sub-pixel convolution):
    cheaper than a transposed conv and free of its checkerboard artefacts."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = conv3x3(cin, 4 * cout)

    def forward(self, x):
        return F.pixel_shuffle(self.conv(x), 2)


class AutoEncoder(nn.Module):
    """Each entry of `widths` is one 2x downsampling: [32, 64, 128] maps 128x128 frames to
    16x16 latents. The decoder mirrors the encoder and ends at widths[0] // 2 channels."""

    def __init__(self, latent_channels, widths):
        super().__init__()
        layers, cin = [], 3
        for w in widths:
            layers += [conv3x3(cin, w, stride=2), ResBlock(w)]
            cin = w
        layers += [nn.GroupNorm(GROUPS, cin), nn.SiLU(), conv3x3(cin, latent_channels)]
        self.encoder = nn.Sequential(*layers)

        ups = list(reversed(widths)) + [widths[0] // 2]
        layers = [conv3x3(latent_channels, ups[0])]
        for w, nxt in zip(ups[:-1], ups[1:]):
            layers += [ResBlock(w), Upsample(w, nxt)]
        layers += [nn.SiLU(), conv3x3(ups[-1], 3)]
        self.decoder = nn.Sequential(*layers)

        self.register_buffer("mean", torch.zeros(latent_channels))
        self.register_buffer("std", torch.ones(latent_channels))

    def _norm(self, z, inverse=False):
        mean, std = self.mean.view(1, -1, 1, 1), self.std.view(1, -1, 1, 1)
        return z * std + mean if inverse else (z - mean) / std

    def encode(self, x):
        return self._norm(self.encoder(x))

    def decode(self, z):
        return self.decoder(self._norm(z, inverse=True))

    def forward(self, x, noise, momentum=0.01):
        """Training pass: reconstruct x through a latent perturbed by `noise` (in latent std
        units) so the decoder stays sharp on the generator's imperfect latents, tracking
        the latent statistics on the way. Returns the reconstruction."""
        z = self.encoder(x)
        with torch.no_grad():
            self.mean.lerp_(z.mean((0, 2, 3)), momentum)
            self.std.lerp_(z.std((0, 2, 3)), momentum)
        z = self._norm(z)
        return self.decode(z + noise * torch.randn_like(z))


class BaseGenerator(nn.Module):
    """Predicts the next latent from the last K (oldest first) as a residual on the newest.
    `level` is the std of the noise added to the context (GameNGen's noise augmentation;
    0 at inference) and enters as one extra input plane. Dilated blocks give a receptive
    field wider than the 16x16 latent, for global changes such as weather and light."""

    def __init__(self, latent_channels, context, width, dilations):
        super().__init__()
        self.stem = conv3x3(context * latent_channels + 1, width)
        self.blocks = nn.ModuleList(ResBlock(width, d) for d in dilations)
        self.head = nn.Sequential(nn.GroupNorm(GROUPS, width), nn.SiLU(), zero_init(conv3x3(width, latent_channels)))

    def embed(self, context, level):
        plane = level.view(-1, 1, 1, 1) * torch.ones_like(context[:, 0, :1])
        return self.stem(torch.cat([context.flatten(1, 2), plane], 1))

    def predict(self, h, context, residuals=None):
        for i, block in enumerate(self.blocks):
            h = block(h)
            if residuals is not None:
                h = h + residuals[i]
        return context[:, -1] + self.head(h)


class InstructNet(nn.Module):
    """The conditioning branch. It embeds the action and the held instructions into one
    vector c, runs its own copy of the base's blocks on the base's stem features with
    c as FiLM, and hands one residual per block to the base through zero-initialised 1x1
    convs: at the start of stage 2 the model is exactly the frozen base."""

    def __init__(self, width, dilations, n_actions, slot_sizes, cond_dim):
        super().__init__()
        self.action_embed = nn.Linear(n_actions, cond_dim, bias=False)  # sum of the held keys' embeddings
        offsets = torch.tensor([0] + [n + 1 for n in slot_sizes[:-1]]).cumsum(0)
        self.register_buffer("slot_offset", offsets)  # slot s's tokens 0..n live at offset[s]..offset[s]+n
        self.token_embed = nn.Embedding(sum(n + 1 for n in slot_sizes), cond_dim)
        self.register_buffer("age_scales", torch.tensor(AGE_SCALES))
        self.age_embed = nn.Linear(len(slot_sizes) * len(AGE_SCALES), cond_dim)
        self.cond = nn.Sequential(nn.SiLU(), nn.Linear(cond_dim, cond_dim), nn.SiLU())
        self.blocks = nn.ModuleList(ResBlock(width, d) for d in dilations)
        self.films = nn.ModuleList(zero_init(nn.Linear(cond_dim, 2 * width)) for _ in dilations)
        self.outs = nn.ModuleList(zero_init(nn.Conv2d(width, width, 1)) for _ in dilations)

    def condition(self, action, instruction, age):
        held = (instruction > 0).float().unsqueeze(-1)
        ages = torch.exp(-age.unsqueeze(-1) / self.age_scales) * held  # [B, slots, scales]
        c = self.action_embed(action)
        c = c + self.token_embed(instruction + self.slot_offset).sum(1)
        c = c + self.age_embed(ages.flatten(1))
        return self.cond(c)

    def forward(self, h, action, instruction, age):
        c = self.condition(action, instruction, age)
        residuals = []
        for block, film, out in zip(self.blocks, self.films, self.outs):
            scale, shift = film(c)[:, :, None, None].chunk(2, 1)
            h = block(h, scale, shift)
            residuals.append(out(h))
        return residuals

    def copy_base(self, base):
        """ControlNet's start: the branch's blocks begin as copies of the trained base blocks."""
        self.blocks.load_state_dict(base.blocks.state_dict())


class WorldModel(nn.Module):
    def __init__(self, cfg, n_actions, slot_sizes):
        super().__init__()
        C, w = cfg["latent_channels"], cfg["width"]
        self.ae = AutoEncoder(C, cfg["ae_widths"])
        self.base = BaseGenerator(C, cfg["context"], w, cfg["dilations"])
        self.instruct = InstructNet(w, cfg["dilations"], n_actions, slot_sizes, cfg["cond_dim"])

    def step(self, context, level, action=None, instruction=None, age=None):
        """One tick in latent space; without an action it is the base alone (stage 1)."""
        h = self.base.embed(context, level)
        residuals = None if action is None else self.instruct(h, action, instruction, age)
        return self.base.predict(h, context, residuals)
