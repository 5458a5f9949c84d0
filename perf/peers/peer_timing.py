"""Timing shared by the peers: median wall time of repeated calls after one warm-up."""
import time


def median_time(fn, repeats=3):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]
