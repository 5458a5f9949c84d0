using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// One radix-r pass of a self-sorting (Stockham) FFT along one axis. Complex numbers are interleaved
/// (re, im) pairs. The data are lines of length <c>N</c>: element t of line (o, i) is the complex
/// number at index <c>(o*N + t)*Inner + i</c>, o &lt; Outer, i &lt; Inner. A transform of length N = r1 r2 ... is
/// one pass per factor with L = N / (r1 ... r_{s-1}) still to transform and S = r1 ... r_{s-1}.
/// </summary>
public struct FftPass
{
#pragma warning disable CS1591
    public int Outer, N, Inner;  // lines and their layout
    public int Radix, L, S;      // this pass: radix r, current sub-length L (a multiple of r), stride S
    public int Sign;             // -1 forward, +1 inverse (unscaled)
#pragma warning restore CS1591
}

/// <summary>Stockham FFT passes.</summary>
public static class FftKernels
{
    /// <summary>Prime factors of n in increasing order (n = 1: none): one Stockham pass each.</summary>
    public static List<int> Factor(int n)
    {
        var factors = new List<int>();
        for (int p = 2; (long)p * p <= n; p++)
            while (n % p == 0) { factors.Add(p); n /= p; }
        if (n > 1) factors.Add(n);
        return factors;
    }

    /// <summary>exp(sign 2 pi i e / n) for e &lt; n as interleaved pairs, computed in float64.</summary>
    internal static Tensor Twiddles(int n, int sign, DType dtype, Device device)
    {
        var w = new double[2 * n];
        for (int e = 0; e < n; e++)
        {
            double angle = sign * 2 * Math.PI * e / n;
            (w[2 * e], w[2 * e + 1]) = (Math.Cos(angle), Math.Sin(angle));
        }
        return dtype == DType.Float64 ? Tensor.FromArray(w, device: device) : Tensor.FromArray(Array.ConvertAll(w, v => (float)v), device: device);
    }

    /// <summary>
    /// With m = L / r, for every line, p &lt; m, q &lt; S and k &lt; r:
    /// <c>y[q + S(r p + k)] = sum_{j &lt; r} x[q + S(p + j m)] * W_L^(k (j m + p))</c>, W_L = exp(Sign 2 pi i / L)
    /// (a radix-r butterfly, a direct DFT of size r, fused with the twiddle W_L^(k p)). Powers of W_L are
    /// read from <paramref name="twiddles"/>, the table of W_N^e for e &lt; N computed in float64 on the
    /// host (W_L^e = W_N^(e N / L)); exponents are reduced modulo L in integers. Thread w handles the
    /// butterfly (line, p, q).
    /// </summary>
    public static void Pass<T>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> y, ArrayView<T> twiddles, FftPass f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = f.L / f.Radix, perLine = m * f.S, total = f.Outer * f.Inner * perLine, step = f.N / f.L;
        for (int w = thread; w < total; w += threads)
        {
            int q = w % f.S, p = w / f.S % m, line = w / perLine;
            int i = line % f.Inner, o = line / f.Inner;
            int lineBase = o * f.N * f.Inner + i;
            for (int k = 0; k < f.Radix; k++)
            {
                T re = T.Zero, im = T.Zero;
                for (int j = 0; j < f.Radix; j++)
                {
                    int src = 2 * (lineBase + (q + f.S * (p + j * m)) * f.Inner);
                    int e = (int)((long)k * (j * m + p) % f.L) * step;
                    T c = twiddles[2 * e], s = twiddles[2 * e + 1];
                    T a = x[src], b = x[src + 1];
                    re += a * c - b * s;
                    im += a * s + b * c;
                }
                int dst = 2 * (lineBase + (q + f.S * (f.Radix * p + k)) * f.Inner);
                y[dst] = re;
                y[dst + 1] = im;
            }
        }
    }
}

/// <summary>
/// Lines of a batched 1-D transform: element t of line (o, i) is the complex number at complex index
/// <c>(o*N + t)*Inner + i</c>, o &lt; Outer, i &lt; Inner; complex numbers are interleaved (re, im).
/// </summary>
public readonly record struct FftLines(int Outer, int N, int Inner)
{
    /// <summary>Complex elements covered.</summary>
    public long Count => (long)Outer * N * Inner;
}
