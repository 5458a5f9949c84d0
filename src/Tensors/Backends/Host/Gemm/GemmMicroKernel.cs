using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Gemm
{
    /// <summary>Rows of the register tile (A sliver height).</summary>
    public const int MR = 6;

    /// <summary>Vectors per tile row; the tile is MR x (NV * lanes), 24 accumulators.</summary>
    public const int NV = 4;

    /// <summary>
    /// Register-tile micro-kernel: C[i, j] (+)= sum_{p &lt; kc} A[p, i] * B[p, j] for i &lt; MR, j &lt; NR = NV*lanes.
    /// A is one packed sliver, a[p*MR + i]; B rows are NR contiguous values at b + p*ldb (a packed sliver
    /// has ldb = NR, an im2col panel its row pitch); C is c[i*ldc + j]. accumulate=false stores instead of
    /// adding, so the first K block needs no zeroing pass. The whole tile is written: callers route
    /// partial tiles through a scratch tile.
    /// </summary>
    /// <remarks>A leaf with no calls in the loop: any call would spill the 24 accumulators.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MicroKernel<T, TV, TOps>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int w = TOps.Count;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero;
        TV c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero;
        TV c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c23 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero, c33 = TOps.Zero;
        TV c40 = TOps.Zero, c41 = TOps.Zero, c42 = TOps.Zero, c43 = TOps.Zero;
        TV c50 = TOps.Zero, c51 = TOps.Zero, c52 = TOps.Zero, c53 = TOps.Zero;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TOps.Load(b), b1 = TOps.Load(b + w), b2 = TOps.Load(b + 2 * w), b3 = TOps.Load(b + 3 * w);
            TV s = TOps.Splat(a[0]);
            c00 = TOps.Fma(s, b0, c00); c01 = TOps.Fma(s, b1, c01); c02 = TOps.Fma(s, b2, c02); c03 = TOps.Fma(s, b3, c03);
            s = TOps.Splat(a[1]);
            c10 = TOps.Fma(s, b0, c10); c11 = TOps.Fma(s, b1, c11); c12 = TOps.Fma(s, b2, c12); c13 = TOps.Fma(s, b3, c13);
            s = TOps.Splat(a[2]);
            c20 = TOps.Fma(s, b0, c20); c21 = TOps.Fma(s, b1, c21); c22 = TOps.Fma(s, b2, c22); c23 = TOps.Fma(s, b3, c23);
            s = TOps.Splat(a[3]);
            c30 = TOps.Fma(s, b0, c30); c31 = TOps.Fma(s, b1, c31); c32 = TOps.Fma(s, b2, c32); c33 = TOps.Fma(s, b3, c33);
            s = TOps.Splat(a[4]);
            c40 = TOps.Fma(s, b0, c40); c41 = TOps.Fma(s, b1, c41); c42 = TOps.Fma(s, b2, c42); c43 = TOps.Fma(s, b3, c43);
            s = TOps.Splat(a[5]);
            c50 = TOps.Fma(s, b0, c50); c51 = TOps.Fma(s, b1, c51); c52 = TOps.Fma(s, b2, c52); c53 = TOps.Fma(s, b3, c53);
            a += MR;
            b += ldb;
        }
        WriteRow<T, TV, TOps>(c, w, accumulate, c00, c01, c02, c03); c += ldc;
        WriteRow<T, TV, TOps>(c, w, accumulate, c10, c11, c12, c13); c += ldc;
        WriteRow<T, TV, TOps>(c, w, accumulate, c20, c21, c22, c23); c += ldc;
        WriteRow<T, TV, TOps>(c, w, accumulate, c30, c31, c32, c33); c += ldc;
        WriteRow<T, TV, TOps>(c, w, accumulate, c40, c41, c42, c43); c += ldc;
        WriteRow<T, TV, TOps>(c, w, accumulate, c50, c51, c52, c53);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow<T, TV, TOps>(T* c, int w, bool accumulate, TV v0, TV v1, TV v2, TV v3)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        if (accumulate)
        {
            v0 = TOps.Add(v0, TOps.Load(c)); v1 = TOps.Add(v1, TOps.Load(c + w));
            v2 = TOps.Add(v2, TOps.Load(c + 2 * w)); v3 = TOps.Add(v3, TOps.Load(c + 3 * w));
        }
        TOps.Store(c, v0); TOps.Store(c + w, v1); TOps.Store(c + 2 * w, v2); TOps.Store(c + 3 * w, v3);
    }

    /// <summary>
    /// Macro-kernel over already-packed operands: C[i, j] (+)= sum_{p &lt; kc} A[p, i] * B[p, j] for
    /// i &lt; m, j &lt; n. A: ceil(m/MR) packed slivers of kc x MR, sliver s at a + s*MR*kc. B: ceil(n/NR)
    /// slivers, sliver s at b + s*bSliver, row p at + p*ldb (packed: bSliver = kc*NR, ldb = NR; im2col panel:
    /// bSliver = NR, ldb = pitch). B columns past n may hold anything finite-or-not: they only reach
    /// <paramref name="tmp"/> (MR*NR scratch), never C.
    /// </summary>
    public static void Block<T, TV, TOps>(int m, int n, int kc, T* a, T* b, nint bSliver, nint ldb,
                                          T* c, nint ldc, bool accumulate, T* tmp)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int nr = NV * TOps.Count;
        for (int j = 0; j < n; j += nr)
        {
            T* bj = b + (j / nr) * bSliver;
            int nn = Math.Min(nr, n - j);
            for (int i = 0; i < m; i += MR)
            {
                T* ai = a + (nint)i * kc;
                int mm = Math.Min(MR, m - i);
                T* ci = c + i * ldc + j;
                if (mm == MR && nn == nr)
                {
                    MicroKernel<T, TV, TOps>(kc, ai, bj, ldb, ci, ldc, accumulate);
                    continue;
                }
                MicroKernel<T, TV, TOps>(kc, ai, bj, ldb, tmp, nr, false);
                for (int ii = 0; ii < mm; ii++)
                {
                    T* src = tmp + ii * nr;
                    T* dst = ci + ii * ldc;
                    if (accumulate) for (int jj = 0; jj < nn; jj++) dst[jj] += src[jj];
                    else for (int jj = 0; jj < nn; jj++) dst[jj] = src[jj];
                }
            }
        }
    }
}
