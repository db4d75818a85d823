"""
Fills the particle layer (model.py's ParticleLayer) from the look pairs of its slot: per
particle value, a bank of masks and one colour and opacity. Nothing in it is trained by
gradient through the generator.

For each scene, the frame under the first value (clear) is graded to value v by the grade
layer's fitted map; what the engine drew under v beyond that, in marks brighter than their
surroundings, is v's particles. The colour and opacity are the least-squares fit of
"under v = (1 - opacity) * graded + opacity * colour" on the marked pixels.

A falling value (model.particles.falling: snow) is drawn as one field that falls a few px a
tick. The engine's flakes are spread evenly over the screen, so the field is pieced from
16x16 tiles of the marks, taken only where every pixel could show a flake (the graded
frame there is dark enough for a flake to stand out, no edge, outside the player's box):
a mark missing over the bright sky or snow cover would otherwise fall as a hole.
"""

import torch
import torch.nn.functional as F

from grade_init import load_pairs

MARK = 0.15  # frame units (about 19 levels): how much brighter than its surroundings a particle pixel is
MIN_MARKED = 0.005  # a particle value whose pairs mark fewer pixels than this share is a config error
TILE = 16  # px: the falling field is pieced from tiles of this size


def luma(x):
    return 0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]


def local_mean(plane):
    """[N, H, W] -> the mean of each pixel's 5x5 neighbourhood."""
    return F.avg_pool2d(plane[:, None], 5, 1, 2, count_include_pad=False)[:, 0]


@torch.no_grad()
def init_particles(particles, grade, cfg, slot_order, height, width):
    spec = cfg["model"]["particles"]
    slot = spec["slot"]
    k = grade.slots.index(slot_order.index(slot))
    pairs, values = load_pairs(cfg["model"]["grade"]["pairs"], slot, height, width)
    x = torch.from_numpy(pairs).float().div(127.5).sub(1.0).permute(0, 1, 4, 2, 3)  # [scenes, V, 3, H, W]
    clear = x[:, 0]
    bank = particles.masks.shape[0]
    if len(pairs) < bank:
        raise SystemExit(f"model.particles.bank {bank}: {cfg['model']['grade']['pairs']} holds only "
                         f"{len(pairs)} {slot} scenes, one mask each")
    # Pixels no particle is read from: where the clear frame has an edge (a fire's outline, the
    # sun's disc), the grade's misfit leaves marks that are not particles; and the player's box,
    # since the character is lit differently under each weather.
    edges = (luma(clear) - local_mean(luma(clear))).abs() > MARK / 2
    excluded = F.max_pool2d(edges[:, None].float(), 3, 1, 1)[:, 0] > 0
    box = cfg["model"].get("sprite", {}).get("box")
    if box is not None:
        top, left, h, w = box
        excluded[:, top:top + h, left:left + w] = True
    for i, v in enumerate(particles.values.tolist()):
        gain = grade.gain[k, v, 0][None, :, :, None]  # clear -> v, per channel and row
        graded = clear * gain + grade.shift[k, v, 0][None, :, :, None]
        residual = luma(x[:, v] - graded)
        marks = ((residual - local_mean(residual)) > MARK) & ~excluded
        share = marks.float().mean().item()
        if share < MIN_MARKED:
            raise SystemExit(f"model.particles: {slot}={values[v]} marks only {share:.2%} of the pixels of "
                             f"its look pairs: it has no particles to draw")
        # Per channel: under = a * graded + b on the marked pixels; opacity = 1 - a, colour = b / opacity.
        m = marks[:, None].expand(-1, 3, -1, -1)  # the same pixels in every channel
        g = graded.permute(1, 0, 2, 3)[m.permute(1, 0, 2, 3)].view(3, -1)
        u = x[:, v].permute(1, 0, 2, 3)[m.permute(1, 0, 2, 3)].view(3, -1)
        gm, um = g.mean(1, keepdim=True), u.mean(1, keepdim=True)
        a = ((g - gm) * (u - um)).sum(1) / ((g - gm) ** 2).sum(1).clamp(min=1e-6)
        b = um[:, 0] - a * gm[:, 0]
        opacity = float((1 - a.mean()).clamp(0.05, 1.0))
        particles.opacity[i] = opacity
        particles.colour[i] = (b / opacity).clamp(-1.0, 1.0)
        if i in particles.banked:
            particles.masks[:, particles.banked.index(i)] = marks[:bank].float()
        else:
            stands_out = opacity * (luma(particles.colour[i].view(1, 3, 1, 1)) - luma(graded)) > 2 * MARK
            visible = stands_out & ~excluded
            particles.field[particles.falling.index(i)] = falling_field(marks, visible, slot, values[v])
        print(f"particle init: {slot}={values[v]} marks {share:.2%} of pixels in {len(pairs)} scenes; "
              f"opacity {opacity:.2f}, colour {[round((c + 1) * 127.5) for c in particles.colour[i].tolist()]}",
              flush=True)


def falling_field(marks, visible, slot, name):
    """[H, W]: a field of marks pieced from the TILE x TILE tiles of `marks` [scenes, H, W] whose
    every pixel is `visible`, one tile drawn at random (fixed seed) per place."""
    S, H, W = marks.shape
    if H % TILE or W % TILE:
        raise SystemExit(f"model.particles.falling needs frames whose sides are multiples of {TILE}; got {W}x{H}")
    tiles = lambda x: x.view(S, H // TILE, TILE, W // TILE, TILE).permute(0, 1, 3, 2, 4).reshape(-1, TILE, TILE)
    whole = tiles(visible).flatten(1).all(1)
    pool = tiles(marks)[whole]
    places = (H // TILE) * (W // TILE)
    if len(pool) < places:
        raise SystemExit(f"model.particles.falling: {slot}={name} has only {len(pool)} tiles where every "
                         f"pixel could show a particle; the field needs {places}")
    pick = torch.randint(len(pool), (places,), generator=torch.Generator().manual_seed(0))
    field = pool[pick].view(H // TILE, W // TILE, TILE, TILE).permute(0, 2, 1, 3).reshape(H, W).float()
    seen = marks[visible].float().mean().item()
    print(f"particle init: {slot}={name} falls as one field of {len(pool)} visible tiles: marks {field.mean().item():.2%} "
          f"of it ({seen:.2%} of the visible pixels of its pairs)", flush=True)
    return field
