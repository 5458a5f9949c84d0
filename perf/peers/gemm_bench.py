"""PyTorch peer for VoxelGan's compare-gemm: torch.mm of n x n matrices, float32 and float64.

Prints one JSON object of best-of-five seconds. Usage: python3 gemm_bench.py n threads
"""
import json
import sys
import time

import torch

n, threads = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
result = {"torch": torch.__version__, "threads": threads}
for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    result[name] = best
print(json.dumps(result))
