using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VoxelGan.Tensors.Host;

/// <summary>Batched complex DFT along one axis of a host tensor.</summary>
internal static unsafe class HostFft
{
    /// <summary>
    /// y = unscaled DFT of x along the middle axis of an (outer, n, inner) complex tensor:
    /// y[o, k, i] = sum_t x[o, t, i] exp(sign * 2 pi i k t / n); sign = -1 forward, +1 inverse (no 1/n).
    /// Complex numbers are interleaved (re, im): element t of line (o, i) is at scalars
    /// 2 * ((o * n + t) * inner + i) and +1. x is not modified; x and y must not overlap.
    /// Any n &gt;= 1 (factors 2, 4, 8, 3, 5 have butterflies; other primes p cost O(p) per element).
    /// </summary>
    public static void Transform<T>(T* x, T* y, int outer, int n, int inner, int sign)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"HostFft supports float and double, not {typeof(T)}.");
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            FftDriver.Run<T, Vector512<T>, FftLanes512<T>>(x, y, outer, n, inner, sign);
        else if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            FftDriver.Run<T, Vector256<T>, FftLanes256<T>>(x, y, outer, n, inner, sign);
        else
            FftDriver.Run<T, T, FftLanesScalar<T>>(x, y, outer, n, inner, sign);
    }
}
