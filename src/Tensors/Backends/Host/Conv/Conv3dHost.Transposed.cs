using System.Numerics;
using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Conv3dHost
{
    /// <summary>
    /// x[n,ci,i] = sum_{co,k} y[n,co,o] * w[co,ci,k] over o &lt; Y, k &lt; K with i = o*S - P + k on every axis
    /// (conv_transpose3d; adjoint of <see cref="Forward{T}"/>). X extents come from g.
    /// Decomposed by output phase: for i = a*S + phi, the taps are the k with (phi + P - k) mod S == 0 and
    /// o = a + (phi + P - k)/S, so each phase is a dense stride-1 gather GEMM (M = Cx, contraction =
    /// (co, valid taps)) with no multiplies by inserted zeros; phases without taps are written as zeros.
    /// Work items are (n, x plane).
    /// </summary>
    public static void Transposed<T>(T* y, T* w, T* x, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.S == 1)
        {
            TransposedAsForward(y, w, x, g);
            return;
        }
        if (Vector512.IsHardwareAccelerated) Transposed<T, Vector512<T>, V512<T>>(y, w, x, g);
        else Transposed<T, Vector256<T>, V256<T>>(y, w, x, g);
    }

    /// <summary>
    /// Stride 1: x[n,ci,i] = sum_{co,k'} y[n,co, i - (K-1-P) + k'] * w[co,ci,K-1-k'], i.e. a <see cref="Forward{T}"/>
    /// from y to x with padding K-1-P and weights w'[ci,co,k'] = w[co,ci,K-1-k'] (flipped on all three axes,
    /// which reverses the flat tap index). That path groups output rows across planes and samples, which the
    /// phase decomposition cannot.
    /// </summary>
    private static void TransposedAsForward<T>(T* y, T* w, T* x, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int K3 = g.K * g.K * g.K;
        T* wt = (T*)HostScratch.Rent((long)g.Cx * g.Cy * K3 * sizeof(T));
        try
        {
            nint w0 = (nint)w, wt0 = (nint)wt;
            int cx = g.Cx, cy = g.Cy;
            HostParallel.For(cy, HostParallel.Worth((double)cx * cy * K3 * 64, cy), 0, (co, _) =>
            {
                for (int ci = 0; ci < cx; ci++)
                {
                    T* src = (T*)w0 + ((nint)co * cx + ci) * K3, dst = (T*)wt0 + ((nint)ci * cy + co) * K3;
                    for (int t = 0; t < K3; t++) dst[t] = src[K3 - 1 - t];
                }
            });
            var f = new ConvGeometry
            {
                N = g.N, Cx = g.Cy, Cy = g.Cx, XD = g.YD, XH = g.YH, XW = g.YW, YD = g.XD, YH = g.XH, YW = g.XW,
                K = g.K, S = 1, P = g.K - 1 - g.P, Parts = 1,
            };
            Forward(y, wt, x, f);
        }
        finally { HostScratch.Return((nint)wt); }
    }

    private static void Transposed<T, TV, TOps>(T* y, T* w, T* x, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int K = g.K, K3 = K * K * K, S = g.S, P = g.P, Cx = g.Cx, Cy = g.Cy;
        int mPad = HostParallel.RoundUp(Cx, Gemm.MR), nr = Gemm.NV * TOps.Count;
        nint xVox = (nint)g.XD * g.XH * g.XW, yVox = (nint)g.YD * g.YH * g.YW, xPlane = (nint)g.XH * g.XW;

        // Per-axis taps of each phase (the same on all three axes): kernel index and coarse-grid shift.
        var tapK = new int[S][];
        var tapD = new int[S][];
        for (int phi = 0; phi < S; phi++)
        {
            var ks = new List<int>();
            for (int k = 0; k < K; k++) if (((phi + P - k) % S + S) % S == 0) ks.Add(k);
            tapK[phi] = ks.ToArray();
            tapD[phi] = ks.Select(k => (phi + P - k) / S).ToArray();
        }
        bool anyEmpty = tapK.Any(t => t.Length == 0);

        // Packed A of each phase: A[ci, co*T + t] = w[co, ci, taps t], all phases share one buffer.
        int phases = S * S * S;
        var aOff = new nint[phases];
        var packItems = new List<(int Phase, int Pc)>();
        nint total = 0;
        for (int ph = 0; ph < phases; ph++)
        {
            int taps = tapK[ph / (S * S)].Length * tapK[ph / S % S].Length * tapK[ph % S].Length;
            aOff[ph] = total;
            total += (nint)mPad * Cy * taps;
            for (int pc = 0; pc < Cy * taps; pc += Gemm.KC) packItems.Add((ph, pc));
        }
        T* ap = (T*)HostScratch.Rent((long)Math.Max(total, 1) * sizeof(T));
        try
        {
            nint w0 = (nint)w, a0 = (nint)ap;
            HostParallel.For(packItems.Count, HostParallel.Worth((double)total * 64, packItems.Count), 0, (item, _) =>
            {
                var (ph, pc) = packItems[item];
                int[] kd = tapK[ph / (S * S)], kh = tapK[ph / S % S], kw = tapK[ph % S];
                int taps = kd.Length * kh.Length * kw.Length, kTot = Cy * taps, kc = Math.Min(Gemm.KC, kTot - pc);
                T* dst = (T*)a0 + aOff[ph] + (nint)pc * mPad;
                for (int i0 = 0; i0 < Cx; i0 += Gemm.MR)
                    for (int p = pc; p < pc + kc; p++, dst += Gemm.MR)
                    {
                        int co = p / taps, t = p % taps;
                        int tap = (kd[t / (kh.Length * kw.Length)] * K + kh[t / kw.Length % kh.Length]) * K + kw[t % kw.Length];
                        T* src = (T*)w0 + ((nint)co * Cx + i0) * K3 + tap;
                        for (int r = 0; r < Gemm.MR; r++) dst[r] = i0 + r < Cx ? src[(nint)r * K3] : T.Zero;
                    }
            });

            int maxW = HostParallel.CeilDiv(g.XW, S);
            int maxL = Math.Min(Math.Max(ChunkCols, maxW), HostParallel.CeilDiv(g.XH, S) * maxW);
            int ldb = Pitch(maxL, nr, sizeof(T)), ldcb = Pitch(maxL, nr, sizeof(T));
            // Stride 1 writes straight into x; otherwise C lands in a buffer and is scattered.
            long scratch = ((long)Gemm.KC * ldb + Gemm.MR * nr + (S == 1 ? 0 : (long)Cx * ldcb)) * sizeof(T);
            int items = g.N * g.XD;
            double flops = 2.0 * g.N * yVox * Cy * Cx * K3;
            nint x0 = (nint)x, y0 = (nint)y;
            HostParallel.For(items, HostParallel.Worth(flops, items), scratch, (item, s) =>
            {
                int n = item / g.XD, id = item % g.XD, phid = id % S, ad = id / S;
                T* panel = (T*)s, tmp = panel + (nint)Gemm.KC * ldb, cbuf = tmp + Gemm.MR * nr;
                T* xp = (T*)x0 + n * Cx * xVox + id * xPlane;
                T* yn = (T*)y0 + n * Cy * yVox;
                int[] kd = tapK[phid], dd = tapD[phid];
                if (anyEmpty)
                    for (int ci = 0; ci < Cx; ci++) new Span<T>(xp + ci * xVox, (int)xPlane).Clear();
                if (kd.Length == 0) return;
                for (int phih = 0; phih < Math.Min(S, g.XH); phih++)
                {
                    int[] dh = tapD[phih];
                    if (dh.Length == 0) continue;
                    int nh = HostParallel.CeilDiv(g.XH - phih, S);
                    for (int phiw = 0; phiw < Math.Min(S, g.XW); phiw++)
                    {
                        int[] dw = tapD[phiw];
                        if (dw.Length == 0) continue;
                        int nw = HostParallel.CeilDiv(g.XW - phiw, S), rp = Math.Max(1, ChunkCols / nw);
                        int taps = dd.Length * dh.Length * dw.Length, kTot = Cy * taps;
                        T* a = (T*)a0 + aOff[(phid * S + phih) * S + phiw];
                        for (int ah0 = 0; ah0 < nh; ah0 += rp)
                        {
                            int rows = Math.Min(rp, nh - ah0), L = rows * nw;
                            T* c = S == 1 ? xp + (nint)ah0 * g.XW : cbuf;
                            nint ldc = S == 1 ? xVox : ldcb;
                            for (int pc = 0; pc < kTot; pc += Gemm.KC)
                            {
                                int kc = Math.Min(Gemm.KC, kTot - pc);
                                for (int rr = 0; rr < kc; rr++)
                                {
                                    int r = pc + rr, co = r / taps, t = r % taps;
                                    Im2Col.Rows(yn + co * yVox, g.YD, g.YH, g.YW, ad + dd[t / (dh.Length * dw.Length)],
                                                ah0 + dh[t / dw.Length % dh.Length], dw[t % dw.Length], 1,
                                                rows, nw, panel + (nint)rr * ldb);
                                }
                                Gemm.Block<T, TV, TOps>(Cx, L, kc, a + (nint)pc * mPad, panel, nr, ldb, c, ldc, pc > 0, tmp);
                            }
                            if (S == 1) continue;
                            for (int ci = 0; ci < Cx; ci++)
                                for (int q = 0; q < rows; q++)
                                {
                                    T* src = cbuf + ci * ldcb + q * nw;
                                    T* dst = xp + ci * xVox + (nint)((ah0 + q) * S + phih) * g.XW + phiw;
                                    for (int t = 0; t < nw; t++) dst[t * S] = src[t];
                                }
                        }
                    }
                }
            });
        }
        finally { HostScratch.Return((nint)ap); }
    }
}
