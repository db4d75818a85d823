"""
An adversarial term for the base (training only; nothing of it is exported).

An L1-trained base answers "which ground comes next?" with the average of the answers,
and in closed loop the average of averages is a haze. A patch discriminator that tells
the engine's frames from the model's own rollout frames makes an averaged patch cost
something, so the base is pushed to draw texture it cannot know exactly, as sharp as the
engine's, while L1 keeps it where the frame says it is (pix2pix; ESRGAN's fine-tune of a
PSNR-trained network).

  PatchCritic      a small convolutional critic: [B, 3, H, W] -> [B, 1, H/8, W/8]
                   logits, each seeing a ~40 px patch of the frame's fine structure
                   only (the frame less its 3x3 mean): colour and layout are L1's job,
                   and a critic that saw them would pull the picture's colours too;
                   spectral norm keeps it smooth
  critic_loss      hinge loss: real patches above +1, the model's below -1
  generator_loss   what the base pays: minus the critic's mean logit on its frames
  fine_structure   a frame less its 3x3 mean (also what train.py's texture term measures)
"""

import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm


def fine_structure(frames):
    """Frames [..., 3, H, W] (leading axes flattened to one) less their 3x3 local mean."""
    x = frames.flatten(0, -4)
    return x - F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)


class PatchCritic(nn.Module):
    def __init__(self, widths=(32, 64, 128), gain=4.0):
        super().__init__()
        layers, cin = [], 3
        for w in widths:  # each halves the size: 128 -> 16 patches for three widths
            layers += [spectral_norm(nn.Conv2d(cin, w, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            cin = w
        layers.append(spectral_norm(nn.Conv2d(cin, 1, 3, padding=1)))
        self.net = nn.Sequential(*layers)
        self.gain = gain  # fine structure is small in frame units; spectral norm cannot scale it up itself

    def forward(self, frames):
        """Frames [..., 3, H, W] in [-1, 1] -> patch logits [N, 1, h, w] (leading axes flattened)."""
        return self.net(self.gain * fine_structure(frames))


def critic_loss(critic, real, fake):
    return F.relu(1 - critic(real)).mean() + F.relu(1 + critic(fake.detach())).mean()


def generator_loss(critic, fake):
    critic.requires_grad_(False)  # the base's gradient only; the critic learns in its own step
    loss = -critic(fake).mean()
    critic.requires_grad_(True)
    return loss
