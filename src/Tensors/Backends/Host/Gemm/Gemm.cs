using System.Numerics;
using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Packed (BLIS-style) host GEMM. Building blocks (packers, <see cref="Block"/>, micro-kernels) are
/// shared with the convolutions, so there is a single GEMM implementation.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>Columns of B packed per pass (about 1 MB of packed B per worker at KC rows).</summary>
    private const int NCBytes = 1 << 20;

    /// <summary>Rows of A per macro-kernel call: MC x KC of A stays in L2 while B slivers stream.</summary>
    private const int MC = 10 * MR;

    /// <summary>
    /// C[b, i, j] = sum_p A[b, i, p] * B[b, p, j] for every batch b, with A[b,i,p] = a[b*BatchA + i*RowA + p*ColA],
    /// B[b,p,j] = b[b*BatchB + p*RowB + j*ColB], C contiguous [Batch, M, N]. K = 0 gives zeros.
    /// Uses all cores above ~2 MFLOP.
    /// </summary>
    public static void MatMul<T>(T* a, T* b, T* c, in MatMulLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) MatMul<T, Vector512<T>, V512<T>>(a, b, c, l);
        else MatMul<T, Vector256<T>, V256<T>>(a, b, c, l);
    }

    private static void MatMul<T, TV, TOps>(T* a, T* b, T* c, MatMulLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int batch = l.Batch, M = l.M, N = l.N, K = l.K;
        if (batch <= 0 || M <= 0 || N <= 0) return;
        if (K <= 0)
        {
            new Span<T>(c, checked(batch * M * N)).Clear();
            return;
        }
        int nr = NV * TOps.Count;
        int mPad = HostParallel.RoundUp(M, MR);
        int aBatches = l.BatchA == 0 ? 1 : batch;
        nint aPackLen = (nint)mPad * K;
        double flops = 2.0 * batch * M * N * K;

        // A is packed once for all column ranges (shared read-only), so splitting N costs nothing extra.
        T* ap = (T*)HostScratch.Rent((long)aBatches * aPackLen * sizeof(T));
        try
        {
            Gemm.PackAll(a, l.BatchA, aBatches, l.RowA, l.ColA, M, K, ap);

            int threads = HostParallel.Worth(flops, 2) ? HostParallel.MaxThreads : 1;
            int nRange = Math.Min(HostParallel.RoundUp(N, nr), Math.Max(nr, NCBytes / (KC * sizeof(T)) / nr * nr));
            int mRange = mPad;
            while ((long)batch * HostParallel.CeilDiv(M, mRange) * HostParallel.CeilDiv(N, nRange) < 2 * threads)
            {
                if (nRange >= 2 * nr) nRange = HostParallel.RoundUp(nRange / 2, nr);
                else if (mRange >= 2 * MR) mRange = HostParallel.RoundUp(mRange / 2, MR);
                else break;
            }
            int mItems = HostParallel.CeilDiv(M, mRange), nItems = HostParallel.CeilDiv(N, nRange);
            int items = batch * mItems * nItems;
            long scratch = ((long)KC * nRange + MR * nr) * sizeof(T);
            nint ap0 = (nint)ap, b0 = (nint)b, c0 = (nint)c;
            HostParallel.For(items, threads > 1, scratch, (item, s) =>
            {
                int bi = item / (mItems * nItems), rest = item % (mItems * nItems);
                int m0 = rest / nItems * mRange, n0 = rest % nItems * nRange;
                int mLen = Math.Min(mRange, M - m0), nLen = Math.Min(nRange, N - n0);
                T* bp = (T*)s, tmp = bp + (nint)KC * nRange;
                T* apb = (T*)ap0 + (l.BatchA == 0 ? 0 : bi * aPackLen);
                T* bb = (T*)b0 + (nint)bi * l.BatchB + n0 * (nint)l.ColB;
                T* cb = (T*)c0 + (nint)bi * M * N + (nint)m0 * N + n0;
                for (int pc = 0; pc < K; pc += KC)
                {
                    int kc = Math.Min(KC, K - pc);
                    PackB(bb + pc * (nint)l.RowB, l.RowB, l.ColB, kc, nLen, nr, bp);
                    T* apc = apb + (nint)pc * mPad + (nint)m0 * kc;
                    for (int ic = 0; ic < mLen; ic += MC)
                        Block<T, TV, TOps>(Math.Min(MC, mLen - ic), nLen, kc, apc + (nint)ic * kc, bp, (nint)kc * nr, nr,
                                           cb + (nint)ic * N, N, pc > 0, tmp);
                }
            });
        }
        finally { HostScratch.Return((nint)ap); }
    }
}
