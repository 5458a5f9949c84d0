"""PyTorch peer for VoxelGan's compare-train: one WGAN-GP iteration of the paper's 32^3 model
(DESIGN.md section 3: mapping network, residual transposed-conv generator, residual critic with
average pooling, gradient penalty by double backprop, Nadam, global-norm clipping), the code's joint
update from one generator forward. Prints one JSON object of median seconds per iteration.

Usage: python3 train_bench.py [size] [ngf] [ndf] [batch] [threads] [repeats]
Device: VOXELGAN_PEER_DEVICE=cpu|cuda. Mixed precision uses torch.autocast (float16 on CUDA, bfloat16 on CPU).
"""
import json
import os
import sys

from peer_timing import median_time

import torch
import torch.nn as nn

from gan_critic import Critic

size, ngf, ndf, batch = (int(a) for a in (sys.argv[1:5] + ["32", "32", "16", "8"][len(sys.argv[1:5]):]))
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 3
torch.set_num_threads(threads)
torch.manual_seed(0)
device = torch.device(os.environ.get("VOXELGAN_PEER_DEVICE", "cpu"))


def convt_same(cin, cout, k, s):
    excess = k - s
    p = (excess + 1) // 2 if excess > 0 else 0
    return nn.ConvTranspose3d(cin, cout, k, stride=s, padding=p, output_padding=2 * p - excess)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        nb = size.bit_length() - 3
        f = [ngf << (nb - b) for b in range(nb + 1)]
        self.f0 = f[0]
        self.mapping = nn.Sequential(*[m for _ in range(8) for m in (nn.Linear(128, 128), nn.LeakyReLU(0.2))])
        self.input = nn.Sequential(nn.Linear(128, 8 * f[0]), nn.LeakyReLU(0.2))
        self.main = nn.ModuleList([nn.Sequential(convt_same(f[b], f[b + 1], 3, 2), nn.LeakyReLU(0.2)) for b in range(nb)])
        self.skip = nn.ModuleList([nn.Sequential(convt_same(f[0], f[b + 1], 1, 2 << b), nn.LeakyReLU(0.2)) for b in range(nb)])
        self.output = convt_same(ngf, 1, 3, 2)

    def forward(self, z):
        w = self.input(self.mapping(z)).view(-1, self.f0, 2, 2, 2)
        x = w
        for main, skip in zip(self.main, self.skip):
            x = main(x) + skip(w)
        return -1 + (torch.tanh(self.output(x)) + 1)


G, D = Generator().to(device), Critic(size, ndf).to(device)
for m in list(G.modules()) + list(D.modules()):
    if isinstance(m, (nn.Linear, nn.Conv3d, nn.ConvTranspose3d)):
        nn.init.orthogonal_(m.weight)
        nn.init.zeros_(m.bias)
mapping = list(G.mapping.parameters())
synthesis = [p for n, p in G.named_parameters() if not n.startswith("mapping.")]
opt_d = torch.optim.NAdam(D.parameters(), lr=1e-4, eps=1e-7)
opt_g = torch.optim.NAdam(synthesis, lr=5e-5, eps=1e-7)
opt_m = torch.optim.NAdam(mapping, lr=5e-7, eps=1e-7)
real = torch.randn(batch, 1, size, size, size, device=device)


def iteration(mixed):
    autocast = torch.autocast(device.type, dtype=torch.float16 if device.type == "cuda" else torch.bfloat16, enabled=mixed)
    for o in (opt_d, opt_g, opt_m):
        o.zero_grad(set_to_none=True)
    with autocast:
        fake = G(torch.randn(batch, 128, device=device))
        d_real, d_fake = D(real).float().mean(), D(fake).float().mean()
        alpha = torch.rand(batch, 1, 1, 1, 1, device=device)
        x_hat = (real + alpha * (fake.detach() - real)).requires_grad_(True)
        grad, = torch.autograd.grad(D(x_hat).float().sum(), x_hat, create_graph=True)
        gp = ((grad.float().flatten(1).norm(dim=1) - 1) ** 2).mean()
        loss_d = d_fake - d_real + 10 * gp
    loss_d.backward()
    for p in G.parameters():
        p.grad = -p.grad  # as VoxelGan: L_D's gradient on G is -dL_G/dtheta_G
    for params, o in ((list(D.parameters()), opt_d), (synthesis, opt_g), (mapping, opt_m)):
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        o.step()
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(mixed):
    """Median seconds per iteration and, on CUDA, the peak of PyTorch's allocator over those iterations (MB)."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    seconds = median_time(lambda: iteration(mixed), repeats)
    return seconds, torch.cuda.max_memory_allocated() / 1e6 if device.type == "cuda" else None


(fp32, fp32_peak), (mixed, mixed_peak) = timed(False), timed(True)
# PyTorch's default lets cuDNN run float32 convolutions on TF32 tensor cores (10-bit mantissas); VoxelGan's fp32 is
# float32 throughout, so the same iteration with TF32 off is the like-for-like figure.
strict = None
if device.type == "cuda":
    torch.backends.cudnn.allow_tf32 = False
    strict, _ = timed(False)
    torch.backends.cudnn.allow_tf32 = True
print(json.dumps({
    "fp32_no_tf32": strict,
    "torch": torch.__version__, "threads": threads, "device": str(device),
    "fp32": fp32, "mixed": mixed, "fp32_peak_mb": fp32_peak, "mixed_peak_mb": mixed_peak,
    "generator_parameters": sum(p.numel() for p in G.parameters()),
    "critic_parameters": sum(p.numel() for p in D.parameters()),
}))
