using System.Numerics;
using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Conv3dHost
{
    /// <summary>Taps (ci, kd, kh, kw) gathered per work item; a multiple of <see cref="Gemm.DotTile"/>.</summary>
    private const int WgRows = 64;

    /// <summary>Target voxels per contraction chunk (whole (n, od) planes are grouped up to this).</summary>
    private const int WgVoxels = 512;

    /// <summary>
    /// Partial sums of dw: plane groups are dealt into this many contiguous runs, each summed into its own partial in
    /// group order and the partials added in run order, so the result does not depend on which thread ran what.
    /// </summary>
    private const int WgRuns = 16;

    /// <summary>
    /// dw[co,ci,kd,kh,kw] = sum_{n,od,oh,ow} y[n,co,od,oh,ow] * x[n,ci,od*S-P+kd, oh*S-P+kh, ow*S-P+kw] (outside = 0).
    /// An NT GEMM contracting over voxels, contiguous in both operands: dy rows of a group of (n, od) planes
    /// against gathered shifted x rows through <see cref="Gemm.DotKernel"/>. Work items are (run of plane groups,
    /// tap block): each sums its groups in order into the run's partial dw (items write disjoint columns), and the
    /// <see cref="WgRuns"/> partials are added in order at the end: the same bits whatever the thread count or schedule.
    /// </summary>
    public static void WeightGradient<T>(T* x, T* y, T* dw, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) WeightGradient<T, Vector512<T>, V512<T>>(x, y, dw, g);
        else WeightGradient<T, Vector256<T>, V256<T>>(x, y, dw, g);
    }

    private static void WeightGradient<T, TV, TOps>(T* x, T* y, T* dw, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        const int DT = Gemm.DotTile;
        int K = g.K, K2 = K * K, K3 = K2 * K, S = g.S, P = g.P, Cy = g.Cy;
        int nTot = g.Cx * K3, mPad = HostParallel.RoundUp(Cy, DT), nPad = HostParallel.RoundUp(nTot, DT);
        int planeVox = g.YH * g.YW, planes = g.N * g.YD;
        int perGroup = Math.Clamp(WgVoxels / Math.Max(planeVox, 1), 1, Math.Max(planes, 1));
        int groups = HostParallel.CeilDiv(planes, perGroup), rBlocks = HostParallel.CeilDiv(nTot, WgRows);
        int lda = HostParallel.RoundUp(perGroup * planeVox, TOps.Count);
        if (lda * sizeof(T) % 4096 == 0) lda += TOps.Count;
        nint xVox = (nint)g.XD * g.XH * g.XW, yVox = (nint)g.YD * planeVox;
        int runs = Math.Min(groups, WgRuns), perRun = HostParallel.CeilDiv(groups, runs);
        runs = HostParallel.CeilDiv(groups, perRun);
        int items = runs * rBlocks;
        double flops = 2.0 * g.N * yVox * Cy * nTot;

        // Scratch: [dy rows mPad x lda][x taps WgRows x lda]; partial dw per run: runs x [mPad x nPad].
        long aLen = (long)mPad * lda, bLen = (long)WgRows * lda, dLen = (long)mPad * nPad;
        T* sum = (T*)HostScratch.Rent(runs * dLen * sizeof(T));
        nint x0 = (nint)x, y0 = (nint)y, sum0 = (nint)sum;
        try
        {
            HostParallel.For(items, HostParallel.Worth(flops, items), (aLen + bLen) * sizeof(T), (item, s) =>
            {
                int run = item / rBlocks, r0 = item % rBlocks * WgRows, rLen = Math.Min(WgRows, nTot - r0);
                T* a = (T*)s, b = a + aLen, d = (T*)sum0 + run * dLen;
                for (int gi = run * perRun; gi < Math.Min(groups, (run + 1) * perRun); gi++)
                {
                    int p0 = gi * perGroup, pLen = Math.Min(perGroup, planes - p0), L = pLen * planeVox;
                    for (int co = 0; co < Cy; co++)
                    {
                        T* row = a + (nint)co * lda;
                        for (int q = 0; q < pLen; q++)
                        {
                            int n = (p0 + q) / g.YD, od = (p0 + q) % g.YD;
                            new ReadOnlySpan<T>((T*)y0 + (n * Cy + co) * yVox + (nint)od * planeVox, planeVox)
                                .CopyTo(new Span<T>(row + q * planeVox, planeVox));
                        }
                        new Span<T>(row + L, lda - L).Clear();
                    }
                    for (int rr = 0; rr < rLen; rr++)
                    {
                        int r = r0 + rr, ci = r / K3, t = r % K3, kd = t / K2, kh = t / K % K, kw = t % K;
                        T* row = b + (nint)rr * lda;
                        for (int q = 0; q < pLen; q++)
                        {
                            int n = (p0 + q) / g.YD, od = (p0 + q) % g.YD;
                            Im2Col.Rows((T*)x0 + (n * g.Cx + ci) * xVox, g.XD, g.XH, g.XW, od * S - P + kd, kh - P, kw - P, S,
                                        g.YH, g.YW, row + q * planeVox);
                        }
                        new Span<T>(row + L, lda - L).Clear();
                    }
                    // Rows past rLen must be finite zeros: they are multiplied, then dropped with the padding of d.
                    int rPad = HostParallel.RoundUp(rLen, DT);
                    if (rPad > rLen) new Span<T>(b + (nint)rLen * lda, (rPad - rLen) * lda).Clear();
                    int len = HostParallel.RoundUp(L, TOps.Count);
                    for (int j = 0; j < rPad; j += DT)
                        for (int i = 0; i < mPad; i += DT)
                            Gemm.DotKernel<T, TV, TOps>(len, a + (nint)i * lda, lda, b + (nint)j * lda, lda,
                                                        d + (nint)i * nPad + r0 + j, nPad);
                }
            });
            for (int run = 1; run < runs; run++)
            {
                T* d = sum + run * dLen;
                for (long i = 0; i < dLen; i++) sum[i] += d[i];
            }
            for (int co = 0; co < Cy; co++)
                new ReadOnlySpan<T>(sum + (nint)co * nPad, nTot).CopyTo(new Span<T>(dw + (nint)co * nTot, nTot));
        }
        finally { HostScratch.Return((nint)sum); }
    }
}
