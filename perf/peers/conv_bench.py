"""PyTorch peer for VoxelGan's conv benchmark: forward+backward of the paper's first-block convolutions.

Shapes (batch 8, the paper's 32^3 configuration, nDf 16, nGf 32): critic Conv3d 1->16, k3, padding 1
on 8x1x32^3; generator ConvTranspose3d 256->128, k3, stride 2, padding 1, output padding 1 on 8x256x2^3.
Prints one JSON object of median seconds per call. Usage: python3 conv_bench.py [threads] [repeats]
"""
import json
import os
import sys

from peer_timing import median_time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(threads)
torch.manual_seed(0)


# VOXELGAN_PEER_DEVICE=cuda when VoxelGan itself runs on CUDA, so both sides use the GPU.
device = torch.device(os.environ.get("VOXELGAN_PEER_DEVICE", "cpu"))
critic = torch.nn.Conv3d(1, 16, 3, padding=1).to(device)
x = torch.randn(8, 1, 32, 32, 32, device=device, requires_grad=True)
generator = torch.nn.ConvTranspose3d(256, 128, 3, stride=2, padding=1, output_padding=1).to(device)
z = torch.randn(8, 256, 2, 2, 2, device=device, requires_grad=True)


def step(layer, inp):
    layer.zero_grad()
    inp.grad = None
    layer(inp).sum().backward()
    if device.type == "cuda":
        torch.cuda.synchronize()


print(json.dumps({
    "torch": torch.__version__,
    "threads": threads,
    "device": str(device),
    "critic_conv3d_fwd_bwd": median_time(lambda: step(critic, x), repeats),
    "generator_convtranspose3d_fwd_bwd": median_time(lambda: step(generator, z), repeats),
}))
