using System.Numerics;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Gemm
{
    /// <summary>Contraction block: one A sliver (KC x MR) plus one B sliver (KC x NR) stay in L1/L2.</summary>
    public const int KC = 256;

    /// <summary>
    /// Packs the m x k block A[i, p] = a[i*rs + p*cs] into ceil(m/MR) slivers, sliver s at dst + s*MR*k,
    /// laid out dst[s*MR*k + p*MR + r] = A[s*MR + r, p], rows past m zero.
    /// </summary>
    public static void PackA<T>(T* a, nint rs, nint cs, int m, int k, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i0 = 0; i0 < m; i0 += MR)
        {
            int mm = Math.Min(MR, m - i0);
            T* src = a + i0 * rs;
            for (int p = 0; p < k; p++)
            {
                T* s = src + p * cs;
                int r = 0;
                for (; r < mm; r++) dst[r] = s[r * rs];
                for (; r < MR; r++) dst[r] = T.Zero;
                dst += MR;
            }
        }
    }

    /// <summary>
    /// Packs all of an m x k matrix A[i, p] = a[i*rs + p*cs] in KC blocks: block pc (starting at p = pc) is
    /// <see cref="PackA{T}"/> of columns [pc, pc + KC) at dst + pc*RoundUp(m, MR). Work items are
    /// (batch, KC block) for <paramref name="batches"/> matrices batchStride apart, packed to
    /// dst + b*RoundUp(m, MR)*k.
    /// </summary>
    public static void PackAll<T>(T* a, nint batchStride, int batches, nint rs, nint cs, int m, int k, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mPad = HostParallel.RoundUp(m, MR);
        int blocks = HostParallel.CeilDiv(k, KC);
        nint src = (nint)a, dstp = (nint)dst;
        bool parallel = HostParallel.Worth((double)batches * mPad * k * 64, batches * blocks);
        HostParallel.For(batches * blocks, parallel, 0, (item, _) =>
        {
            int bi = item / blocks, pc = item % blocks * KC;
            PackA((T*)src + bi * batchStride + pc * cs, rs, cs, m, Math.Min(KC, k - pc),
                  (T*)dstp + (nint)bi * mPad * k + (nint)pc * mPad);
        });
    }

    /// <summary>
    /// Packs the k x n block B[p, j] = b[p*rs + j*cs] into ceil(n/nr) slivers of k x nr,
    /// dst[s*k*nr + p*nr + c] = B[p, s*nr + c], columns past n zero.
    /// </summary>
    public static void PackB<T>(T* b, nint rs, nint cs, int k, int n, int nr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j0 = 0; j0 < n; j0 += nr)
        {
            int nn = Math.Min(nr, n - j0);
            T* src = b + j0 * cs;
            if (cs == 1)
            {
                for (int p = 0; p < k; p++, dst += nr)
                {
                    T* s = src + p * rs;
                    new ReadOnlySpan<T>(s, nn).CopyTo(new Span<T>(dst, nn));
                    if (nn < nr) new Span<T>(dst + nn, nr - nn).Clear();
                }
                continue;
            }
            for (int p = 0; p < k; p++, dst += nr)
            {
                T* s = src + p * rs;
                int c = 0;
                for (; c < nn; c++) dst[c] = s[c * cs];
                for (; c < nr; c++) dst[c] = T.Zero;
            }
        }
    }
}
