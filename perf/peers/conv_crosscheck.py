"""Cross-check of VoxelGan's convolution and pooling ops against PyTorch on identical float64 inputs.

Usage: python3 perf/peers/conv_crosscheck.py DIR, where DIR holds raw float64 files written by a
VoxelGan run (x, w, yt, wt, gy and the results conv, convT, gx, gw, pool; shapes below). Prints the
largest absolute difference of each result. Needs python3-torch (Debian) and nothing else.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F


def load(d, name, shape):
    return torch.from_numpy(np.fromfile(f"{d}/{name}.bin", dtype="<f8").reshape(shape))


d = sys.argv[1]
x = load(d, "x", (2, 3, 7, 6, 5)).requires_grad_()
w = load(d, "w", (4, 3, 3, 3, 3)).requires_grad_()
yt = load(d, "yt", (2, 4, 3, 3, 3))
wt = load(d, "wt", (4, 2, 3, 3, 3))
gy = load(d, "gy", (2, 4, 4, 3, 3))

y = F.conv3d(x, w, stride=2, padding=1)
gx, gw = torch.autograd.grad(y, (x, w), gy)
checks = {
    "conv3d": (y, load(d, "conv", y.shape)),
    "conv_transpose3d": (F.conv_transpose3d(yt, wt, stride=2, padding=1, output_padding=1), load(d, "convT", (2, 2, 6, 6, 6))),
    "conv3d grad x": (gx, load(d, "gx", gx.shape)),
    "conv3d grad w": (gw, load(d, "gw", gw.shape)),
    "avg_pool3d": (F.avg_pool3d(x[:, :, :6, :, :4], 2), load(d, "pool", (2, 3, 3, 3, 2))),
}
worst = 0.0
for name, (ref, ours) in checks.items():
    diff = (ref.detach() - ours).abs().max().item()
    worst = max(worst, diff)
    print(f"{name:18s} shape {tuple(ref.shape)}  max |torch - voxelgan| = {diff:.3e}")
sys.exit(0 if worst < 1e-10 else 1)
