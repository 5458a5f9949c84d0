using System.Numerics;
using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Host 3-D convolutions as implicit GEMMs over <see cref="Gemm"/>'s packed building blocks.
/// Grids: x = [N, Cx, XD, XH, XW] (fine), y = [N, Cy, YD, YH, YW] (coarse), w = [Cy, Cx, K, K, K], row-major;
/// output voxel o sees input voxels o*S - P + k, k &lt; K, on each axis; outside the grid reads zero.
/// </summary>
internal static unsafe partial class Conv3dHost
{
    /// <summary>Target voxel columns per im2col panel: KC rows x this many stays within L2.</summary>
    private const int ChunkCols = 512;

    /// <summary>
    /// y[n,co,od,oh,ow] = sum_{ci,kd,kh,kw} x[n,ci,od*S-P+kd, oh*S-P+kh, ow*S-P+kw] * w[co,ci,kd,kh,kw] (conv3d).
    /// GEMM: M = Cy, contraction = (ci, kd, kh, kw), columns = output voxels of a run of output rows
    /// (n, od, oh) flattened; work items (row run, channel block), weights packed once and shared.
    /// </summary>
    public static void Forward<T>(T* x, T* w, T* y, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.S == 1 && g.P >= 0 && g.Cy <= NarrowChannels)
        {
            ForwardNarrow(x, w, y, g);
            return;
        }
        if (Vector512.IsHardwareAccelerated) Forward<T, Vector512<T>, V512<T>>(x, w, y, g);
        else Forward<T, Vector256<T>, V256<T>>(x, w, y, g);
    }

    private static void Forward<T, TV, TOps>(T* x, T* w, T* y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int K = g.K, K2 = K * K, K3 = K2 * K, S = g.S, P = g.P;
        int kTot = g.Cx * K3, M = g.Cy, mPad = HostParallel.RoundUp(M, Gemm.MR);
        int nr = Gemm.NV * TOps.Count;
        nint xVox = (nint)g.XD * g.XH * g.XW, yVox = (nint)g.YD * g.YH * g.YW;
        double flops = 2.0 * g.N * yVox * M * kTot;
        int threads = HostParallel.Worth(flops, 2) ? HostParallel.MaxThreads : 1;

        // Columns are output rows (n, od, oh) flattened, so tiny deep grids still fill whole NR slivers.
        int nRows = g.N * g.YD * g.YH, perN = g.YD * g.YH;
        int rowsPer = Math.Max(1, ChunkCols / g.YW);
        int minRows = HostParallel.CeilDiv(nr, g.YW);
        if (HostParallel.CeilDiv(nRows, rowsPer) < 2 * threads)
            rowsPer = Math.Max(Math.Min(rowsPer, minRows), HostParallel.CeilDiv(nRows, 2 * threads));
        int chunks = HostParallel.CeilDiv(nRows, rowsPer);
        // Too few columns for every worker: split output channels too (each split rebuilds its panel).
        int mRange = mPad;
        while (chunks * HostParallel.CeilDiv(mPad, mRange) < 2 * threads && mRange >= 4 * Gemm.MR)
            mRange = HostParallel.RoundUp(mRange / 2, Gemm.MR);
        int mItems = HostParallel.CeilDiv(mPad, mRange);
        int items = chunks * mItems;
        int maxL = rowsPer * g.YW;
        int ldb = Pitch(maxL, nr, sizeof(T));

        T* ap = (T*)HostScratch.Rent((long)mPad * kTot * sizeof(T));
        try
        {
            Gemm.PackAll(w, 0, 1, kTot, 1, M, kTot, ap);
            nint x0 = (nint)x, y0 = (nint)y, a0 = (nint)ap;
            long scratch = ((long)Gemm.KC * ldb + Gemm.MR * nr + (long)mRange * ldb) * sizeof(T);
            HostParallel.For(items, threads > 1 && items > 1, scratch, (item, s) =>
            {
                int q0 = item / mItems * rowsPer, q1 = Math.Min(nRows, q0 + rowsPer), L = (q1 - q0) * g.YW;
                int m0 = item % mItems * mRange, mLen = Math.Min(mRange, M - m0);
                T* panel = (T*)s, tmp = panel + (nint)Gemm.KC * ldb, cbuf = tmp + Gemm.MR * nr;
                // One batch sample: C rows are y channels at stride yVox, columns contiguous. Else gather in cbuf.
                bool direct = q0 / perN == (q1 - 1) / perN;
                T* c = direct ? (T*)y0 + ((nint)(q0 / perN) * M + m0) * yVox + (nint)(q0 % perN) * g.YW : cbuf;
                nint ldc = direct ? yVox : ldb;
                for (int pc = 0; pc < kTot; pc += Gemm.KC)
                {
                    int kc = Math.Min(Gemm.KC, kTot - pc);
                    for (int rr = 0; rr < kc; rr++)
                    {
                        int r = pc + rr, ci = r / K3, t = r % K3, kd = t / K2, kh = t / K % K, kw = t % K;
                        for (int q = q0; q < q1;)
                        {
                            int n = q / perN, od = q / g.YH % g.YD, oh = q % g.YH, seg = Math.Min(q1 - q, g.YH - oh);
                            Im2Col.Rows((T*)x0 + ((nint)n * g.Cx + ci) * xVox, g.XD, g.XH, g.XW, od * S - P + kd, oh * S - P + kh,
                                        kw - P, S, seg, g.YW, panel + (nint)rr * ldb + (q - q0) * g.YW);
                            q += seg;
                        }
                    }
                    Gemm.Block<T, TV, TOps>(mLen, L, kc, (T*)a0 + (nint)pc * mPad + (nint)m0 * kc, panel, nr, ldb, c, ldc, pc > 0, tmp);
                }
                if (direct) return;
                for (int q = q0; q < q1;)
                {
                    int n = q / perN, seg = Math.Min(q1 - q, (n + 1) * perN - q);
                    for (int co = 0; co < mLen; co++)
                        new ReadOnlySpan<T>(cbuf + (nint)co * ldb + (q - q0) * g.YW, seg * g.YW)
                            .CopyTo(new Span<T>((T*)y0 + ((nint)n * M + m0 + co) * yVox + (nint)(q % perN) * g.YW, seg * g.YW));
                    q += seg;
                }
            });
        }
        finally { HostScratch.Return((nint)ap); }
    }

    /// <summary>
    /// Row pitch of an im2col panel holding <paramref name="cols"/> columns: whole NR slivers, nudged off
    /// 4 KB multiples so consecutive rows do not alias in L1 sets.
    /// </summary>
    private static int Pitch(int cols, int nr, int elemSize)
    {
        int p = HostParallel.RoundUp(cols, nr);
        return p * elemSize % 4096 == 0 ? p + 64 / elemSize : p;
    }
}
