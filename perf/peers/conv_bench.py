"""PyTorch peer for VoxelGan's compare-conv: forward and forward+backward of convolution layers.

Each argument after the thread count is one layer, "kind:cin:cout:k:stride:padding:output_padding:batch:size"
(kind conv, convt, or resize: nearest upsampling by 2 then a stride-1 convolution; input batch x cin x size^3), the same list VoxelGan times in the same run. Prints one
JSON object: {"<spec>_fwd": seconds, "<spec>_fwd_bwd": seconds, ...}, medians after a warm-up; on CUDA also
"<spec>_fwd_no_tf32" and "<spec>_fwd_bwd_no_tf32", the same with cuDNN's TF32 off.
Usage: python3 conv_bench.py threads spec [spec ...]
"""
import json
import os
import sys

from peer_timing import median_time

import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(0)
# VOXELGAN_PEER_DEVICE=cuda when VoxelGan itself runs on CUDA, so both sides use the GPU.
device = torch.device(os.environ.get("VOXELGAN_PEER_DEVICE", "cpu"))


def sync():
    if device.type == "cuda":
        torch.cuda.synchronize()


result = {"torch": torch.__version__, "threads": threads, "device": str(device)}
for spec in sys.argv[2:]:
    kind, cin, cout, k, s, p, op, batch, size = spec.split(":")
    cin, cout, k, s, p, op, batch, size = map(int, (cin, cout, k, s, p, op, batch, size))
    if kind == "conv":
        layer = torch.nn.Conv3d(cin, cout, k, stride=s, padding=p)
    elif kind == "resize":
        layer = torch.nn.Sequential(torch.nn.Upsample(scale_factor=2, mode="nearest"), torch.nn.Conv3d(cin, cout, k, stride=s, padding=p))
    else:
        layer = torch.nn.ConvTranspose3d(cin, cout, k, stride=s, padding=p, output_padding=op)
    layer = layer.to(device)
    x = torch.randn(batch, cin, size, size, size, device=device, requires_grad=True)

    def forward():
        with torch.no_grad():
            layer(x)
        sync()

    def forward_backward():
        layer.zero_grad()
        x.grad = None
        layer(x).sum().backward()
        sync()

    result[spec + "_fwd"] = median_time(forward, 5)
    result[spec + "_fwd_bwd"] = median_time(forward_backward, 3)
    if device.type == "cuda":
        # cuDNN's default runs float32 convolutions on TF32 tensor cores; VoxelGan's are float32 throughout.
        torch.backends.cudnn.allow_tf32 = False
        result[spec + "_fwd_no_tf32"] = median_time(forward, 5)
        result[spec + "_fwd_bwd_no_tf32"] = median_time(forward_backward, 3)
        torch.backends.cudnn.allow_tf32 = True
print(json.dumps(result))
