"""NumPy / pyFFTW peer for VoxelGan's compare-fft: complex128 3D FFTs and the six-load-case
conjugate-gradient FFT homogenization (same reference medium, Green operator, C0 inner product,
equilibrium residual and tolerance as src/Fft/Homogenization/Homogenizer.cs) on the same volumes.

Usage: python3 fft_bench.py WORKDIR FFT_SIZES HOMOGENIZATION_SIZES [threads]
  (sizes comma-separated; WORKDIR holds spheres{n}.npy written by VoxelGan). Prints one JSON object.
"""
import json
import os
import sys
import time

from peer_timing import median_time

threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
os.environ.setdefault("OMP_NUM_THREADS", str(threads))
import numpy as np  # noqa: E402

try:
    import pyfftw  # noqa: E402
    import pyfftw.interfaces.numpy_fft as fftw_fft  # noqa: E402
    pyfftw.interfaces.cache.enable()
except ImportError:
    pyfftw = None


def lame(e, nu):
    return e * nu / ((1 + nu) * (1 - 2 * nu)), e / (2 * (1 + nu))


SHEAR = np.array([1, 1, 1, 2, 2, 2], dtype=float)  # tensor contraction weights of (11,22,33,23,13,12)


def stress(eps, lam, mu):
    tr = eps[0] + eps[1] + eps[2]
    return np.stack([lam * tr + 2 * mu * eps[c] if c < 3 else 2 * mu * eps[c] for c in range(6)])


def homogenize(phases, tol=1e-6):
    n = phases.shape
    (lm, mm), (li, mi) = lame(1e3, 0.4), lame(1e4, 0.1)
    lam = np.where(phases == 1, li, lm)
    mu = np.where(phases == 1, mi, mm)
    lam0, mu0 = (lm + li) / 2, (mm + mi) / 2
    xi = np.meshgrid(*[2 * np.pi * np.fft.fftfreq(k, 1.0 / k) / k for k in n], indexing="ij")
    xi2 = xi[0] ** 2 + xi[1] ** 2 + xi[2] ** 2
    xi2[0, 0, 0] = 1
    nyq = np.ones(n, dtype=bool)
    for ax, k in enumerate(n):
        if k % 2 == 0:
            sl = [slice(None)] * 3
            sl[ax] = k // 2
            nyq[tuple(sl)] = False
    pairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]
    full = [[0, 5, 4], [5, 1, 3], [4, 3, 2]]
    fftn = lambda a: np.fft.fftn(a, axes=(1, 2, 3))  # noqa: E731
    ifftn = lambda a: np.fft.ifftn(a, axes=(1, 2, 3)).real  # noqa: E731

    def minus_green(sig_hat):
        # Gamma0 : sigma for an isotropic reference medium, in tensorial components.
        s = [[sig_hat[full[i][j]] for j in range(3)] for i in range(3)]
        sx = [sum(s[i][j] * xi[j] for j in range(3)) for i in range(3)]
        xsx = sum(xi[i] * sx[i] for i in range(3))
        coef = (lam0 + mu0) / (mu0 * (lam0 + 2 * mu0))
        out = np.empty_like(sig_hat)
        for c, (i, j) in enumerate(pairs):
            g = (xi[i] * sx[j] + xi[j] * sx[i]) / (2 * mu0 * xi2) - coef * xi[i] * xi[j] * xsx / xi2 ** 2
            out[c] = -g
        out[:, 0, 0, 0] = 0
        return out

    def residual(sig_hat):
        s = [[sig_hat[full[i][j]] for j in range(3)] for i in range(3)]
        div = [sum(xi[j] * s[i][j] for j in range(3)) for i in range(3)]
        num = np.sqrt(np.sum(nyq * sum(np.abs(d) ** 2 for d in div)) / phases.size)
        zero = sig_hat[:, 0, 0, 0].real
        norm0 = np.sqrt(np.sum(SHEAR * zero ** 2))
        return 0.0 if norm0 == 0 else num / norm0

    def dot_c0(a, b):
        return np.sum(SHEAR[:, None, None, None] * a * stress(b, lam0, mu0))

    c_eff = np.zeros((6, 6))
    iterations = 0
    for j in range(6):
        macro = np.zeros((6,) + n)
        macro[j] = 1.0 if j < 3 else 0.5
        e = np.zeros_like(macro)
        r = ifftn(minus_green(fftn(stress(macro, lam, mu))))
        p = r.copy()
        rr = dot_c0(r, r)
        while True:
            eps = macro + e
            if residual(fftn(stress(eps, lam, mu))) < tol or rr == 0:
                break
            ap = -ifftn(minus_green(fftn(stress(p, lam, mu))))
            alpha = rr / dot_c0(p, ap)
            e = e + alpha * p
            r = r - alpha * ap
            rr_next = dot_c0(r, r)
            p = r + (rr_next / rr) * p
            rr = rr_next
            iterations += 1
        c_eff[:, j] = stress(eps, lam, mu).mean(axis=(1, 2, 3))
    return c_eff, iterations


work, fft_sizes, hom_sizes = sys.argv[1], sys.argv[2], sys.argv[3]
result = {"numpy": np.__version__, "pyfftw": pyfftw.__version__ if pyfftw else None, "threads": threads}
rng = np.random.default_rng(0)
for n in [int(s) for s in fft_sizes.split(",") if s]:
    x = rng.standard_normal((n, n, n)) + 1j * rng.standard_normal((n, n, n))
    result[f"numpy_fft{n}"] = median_time(lambda: np.fft.fftn(x))
    if pyfftw:
        result[f"pyfftw_fft{n}"] = median_time(lambda: fftw_fft.fftn(x, threads=threads))
for n in [int(s) for s in hom_sizes.split(",") if s]:
    phases = np.load(os.path.join(work, f"spheres{n}.npy"))
    start = time.perf_counter()
    c, its = homogenize(phases)
    result[f"numpy_homogenize{n}"] = time.perf_counter() - start
    result[f"numpy_c11_{n}"] = c[0, 0]
    result[f"numpy_iterations{n}"] = its
print(json.dumps(result))
