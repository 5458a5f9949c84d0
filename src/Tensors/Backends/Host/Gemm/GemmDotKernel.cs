using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Gemm
{
    /// <summary>Rows of A and of B per dot tile (4 x 4 = 16 vector accumulators).</summary>
    public const int DotTile = 4;

    /// <summary>
    /// NT dot-product micro-kernel for contractions along a contiguous axis:
    /// d[i*ldd + j] += sum_{v &lt; len} a[i*lda + v] * b[j*ldb + v] for i, j &lt; 4.
    /// <paramref name="len"/> is a multiple of the vector width; rows are zero-padded by the caller.
    /// Vector accumulators run along v; the horizontal sums happen once, after the loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotKernel<T, TV, TOps>(int len, T* a, nint lda, T* b, nint ldb, T* d, nint ldd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int w = TOps.Count;
        T* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        T* b0 = b, b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
        TV s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TV s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TV s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TV s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        for (int v = 0; v < len; v += w)
        {
            TV x0 = TOps.Load(b0 + v), x1 = TOps.Load(b1 + v), x2 = TOps.Load(b2 + v), x3 = TOps.Load(b3 + v);
            TV y = TOps.Load(a0 + v);
            s00 = TOps.Fma(y, x0, s00); s01 = TOps.Fma(y, x1, s01); s02 = TOps.Fma(y, x2, s02); s03 = TOps.Fma(y, x3, s03);
            y = TOps.Load(a1 + v);
            s10 = TOps.Fma(y, x0, s10); s11 = TOps.Fma(y, x1, s11); s12 = TOps.Fma(y, x2, s12); s13 = TOps.Fma(y, x3, s13);
            y = TOps.Load(a2 + v);
            s20 = TOps.Fma(y, x0, s20); s21 = TOps.Fma(y, x1, s21); s22 = TOps.Fma(y, x2, s22); s23 = TOps.Fma(y, x3, s23);
            y = TOps.Load(a3 + v);
            s30 = TOps.Fma(y, x0, s30); s31 = TOps.Fma(y, x1, s31); s32 = TOps.Fma(y, x2, s32); s33 = TOps.Fma(y, x3, s33);
        }
        d[0] += TOps.Sum(s00); d[1] += TOps.Sum(s01); d[2] += TOps.Sum(s02); d[3] += TOps.Sum(s03); d += ldd;
        d[0] += TOps.Sum(s10); d[1] += TOps.Sum(s11); d[2] += TOps.Sum(s12); d[3] += TOps.Sum(s13); d += ldd;
        d[0] += TOps.Sum(s20); d[1] += TOps.Sum(s21); d[2] += TOps.Sum(s22); d[3] += TOps.Sum(s23); d += ldd;
        d[0] += TOps.Sum(s30); d[1] += TOps.Sum(s31); d[2] += TOps.Sum(s32); d[3] += TOps.Sum(s33);
    }
}
