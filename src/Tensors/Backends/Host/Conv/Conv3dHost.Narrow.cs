using System.Numerics;
using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal static unsafe partial class Conv3dHost
{
    /// <summary>Output channels up to which a stride-1 convolution runs <see cref="ForwardNarrow{T}"/> instead of the GEMM.</summary>
    private const int NarrowChannels = 4;

    /// <summary>
    /// Stride-1 convolution with few output channels (Cy &lt;= <see cref="NarrowChannels"/>) and padding P &gt;= 0 (a
    /// transposed convolution run as a forward one has P = K - 1 - P_t, negative when P_t &gt;= K), vectorized along
    /// output rows: y[n,co,od,oh,ow..] += w[co,ci,kd,kh,kw] * xp[n,ci,od+kd-P,oh+kh-P,ow+kw..] over the taps whose
    /// plane and row lie inside x, where xp holds the rows of x zero-padded by P on the left (and on the right
    /// far enough that every vector load of a row is a plain load).
    /// The GEMM's 6-row register tile would spend 5/6 of its work on padding rows when Cy = 1 (the critic's
    /// input gradient, 1 channel, sits on the gradient penalty's path). Work items are (n, od) planes.
    /// </summary>
    private static void ForwardNarrow<T>(T* x, T* w, T* y, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) ForwardNarrow<T, Vector512<T>, V512<T>>(x, w, y, g);
        else ForwardNarrow<T, Vector256<T>, V256<T>>(x, w, y, g);
    }

    private static void ForwardNarrow<T, TV, TOps>(T* x, T* w, T* y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int K = g.K, P = g.P, lanes = TOps.Count;
        // Rows of up to two vectors (a 32-voxel row of floats) take two accumulators, longer ones four.
        bool wide = g.YW > 2 * lanes;
        int chunk = (wide ? 4 : 2) * lanes;
        // Only rows are padded: column ow + kw of a padded row is input column ow + kw - P, and every load
        // of a chunk stays inside the row; taps whose input plane or row lies outside the grid are skipped.
        int pw = HostParallel.RoundUp(Math.Max(P + g.XW, HostParallel.RoundUp(g.YW, chunk) + K - 1), lanes);
        long rows = (long)g.N * g.Cx * g.XD * g.XH;
        nint yVox = (nint)g.YD * g.YH * g.YW, planeRows = (nint)g.XD * g.XH;
        T* xp = (T*)HostScratch.Rent(rows * pw * sizeof(T), zero: false);
        try
        {
            nint x0 = (nint)x, xp0 = (nint)xp, w0 = (nint)w, y0 = (nint)y;
            HostParallel.For(rows, Math.Max(1, HostBackend.ElementGrain / pw), (r0, r1) =>
            {
                for (long r = r0; r < r1; r++)
                {
                    T* dst = (T*)xp0 + r * pw;
                    new Span<T>(dst, P).Clear();
                    new ReadOnlySpan<T>((T*)x0 + r * g.XW, g.XW).CopyTo(new Span<T>(dst + P, g.XW));
                    new Span<T>(dst + P + g.XW, pw - P - g.XW).Clear();
                }
            });
            double flops = 2.0 * g.N * yVox * g.Cy * g.Cx * K * K * K;
            int items = g.N * g.YD;
            HostParallel.For(items, HostParallel.Worth(flops, items), 0, (item, _) =>
            {
                int n = item / g.YD, od = item % g.YD;
                T* tail = stackalloc T[chunk];
                for (int co = 0; co < g.Cy; co++)
                    for (int oh = 0; oh < g.YH; oh++)
                    {
                        T* dst = (T*)y0 + ((nint)n * g.Cy + co) * yVox + ((nint)od * g.YH + oh) * g.YW;
                        for (int c0 = 0; c0 < g.YW; c0 += chunk)
                        {
                            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
                            for (int ci = 0; ci < g.Cx; ci++)
                            {
                                T* channel = (T*)xp0 + ((nint)n * g.Cx + ci) * planeRows * pw + c0;
                                T* taps = (T*)w0 + ((nint)co * g.Cx + ci) * K * K * K;
                                for (int kd = 0; kd < K; kd++)
                                {
                                    int id = od + kd - P;
                                    if ((uint)id >= (uint)g.XD) continue;
                                    for (int kh = 0; kh < K; kh++)
                                    {
                                        int ih = oh + kh - P;
                                        if ((uint)ih >= (uint)g.XH) continue;
                                        T* row = channel + ((nint)id * g.XH + ih) * pw;
                                        T* tap = taps + (kd * K + kh) * K;
                                        for (int kw = 0; kw < K; kw++)
                                        {
                                            var wv = TOps.Splat(tap[kw]);
                                            a0 = TOps.Fma(TOps.Load(row + kw), wv, a0);
                                            a1 = TOps.Fma(TOps.Load(row + kw + lanes), wv, a1);
                                            if (!wide) continue;
                                            a2 = TOps.Fma(TOps.Load(row + kw + 2 * lanes), wv, a2);
                                            a3 = TOps.Fma(TOps.Load(row + kw + 3 * lanes), wv, a3);
                                        }
                                    }
                                }
                            }
                            int valid = Math.Min(chunk, g.YW - c0);
                            T* target = valid == chunk ? dst + c0 : tail;
                            TOps.Store(target, a0);
                            TOps.Store(target + lanes, a1);
                            if (wide)
                            {
                                TOps.Store(target + 2 * lanes, a2);
                                TOps.Store(target + 3 * lanes, a3);
                            }
                            if (valid < chunk) new ReadOnlySpan<T>(tail, valid).CopyTo(new Span<T>(dst + c0, valid));
                        }
                    }
            });
        }
        finally { HostScratch.Return((nint)xp); }
    }
}
