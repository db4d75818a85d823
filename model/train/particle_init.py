"""
Fills the particle layer (model.py's ParticleLayer) from the look pairs of its slot: per
particle value, a bank of masks and one colour and opacity. Nothing in it is trained by
gradient through the generator.

For each scene, the frame under the first value (clear) is graded to value v by the grade
layer's fitted map; what the engine drew under v beyond that, in marks brighter than their
surroundings, is v's particles. The colour and opacity are the least-squares fit of
"under v = (1 - opacity) * graded + opacity * colour" on the marked pixels.
"""

import torch
import torch.nn.functional as F

from grade_init import load_pairs

MARK = 0.15  # frame units (about 19 levels): how much brighter than its surroundings a particle pixel is
MIN_MARKED = 0.005  # a particle value whose pairs mark fewer pixels than this share is a config error


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
    box = cfg["model"].get("sprite", {}).get("box")
    for i, v in enumerate(particles.values.tolist()):
        gain = grade.gain[k, v, 0][None, :, :, None]  # clear -> v, per channel and row
        graded = clear * gain + grade.shift[k, v, 0][None, :, :, None]
        residual = luma(x[:, v] - graded)
        marks = (residual - local_mean(residual)) > MARK
        # Where the clear frame has an edge (a fire's outline, the sun's disc), the grade's misfit
        # leaves marks that are not particles: those pixels are left out.
        edges = (luma(clear) - local_mean(luma(clear))).abs() > MARK / 2
        marks &= ~(F.max_pool2d(edges[:, None].float(), 3, 1, 1)[:, 0] > 0)
        if box is not None:  # the character is lit differently under each weather: not a particle
            top, left, h, w = box
            marks[:, top:top + h, left:left + w] = False
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
        particles.masks[:, i] = marks[:bank].float()
        print(f"particle init: {slot}={values[v]} marks {share:.2%} of pixels in {len(pairs)} scenes; "
              f"opacity {opacity:.2f}, colour {[round((c + 1) * 127.5) for c in particles.colour[i].tolist()]}",
              flush=True)
