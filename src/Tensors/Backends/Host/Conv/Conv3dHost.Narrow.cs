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
        // 256-bit vectors for rows that fit one of them: a 512-bit vector would spend half its lanes past the row's end.
        if (Vector512.IsHardwareAccelerated && g.YW > Vector256<T>.Count) ForwardNarrow<T, Vector512<T>, V512<T>>(x, w, y, g);
        else ForwardNarrow<T, Vector256<T>, V256<T>>(x, w, y, g);
    }

    private static void ForwardNarrow<T, TV, TOps>(T* x, T* w, T* y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int K = g.K, P = g.P, lanes = TOps.Count;
        // Rows of one vector or less (16^3 and 8^3 grids) are computed four rows at a time, one accumulator each, so
        // no lane works past a row's end; rows of up to two vectors (a 32-voxel row of floats) take two accumulators,
        // longer ones four.
        bool rowsAtOnce = g.YW <= lanes, wide = g.YW > 2 * lanes;
        int chunk = (rowsAtOnce ? 1 : wide ? 4 : 2) * lanes;
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
            if (rowsAtOnce)
            {
                HostParallel.For(items, HostParallel.Worth(flops, items), 0, (item, _) => ShortRows<T, TV, TOps>((T*)xp0, (T*)w0, (T*)y0, g, pw, item));
                return;
            }
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

    /// <summary>
    /// <see cref="ForwardNarrow{T}"/> for rows of at most one vector (Y_W &lt;= lanes), on the (n, od) plane
    /// <paramref name="item"/>: the same sum y[n,co,od,oh,ow] = sum_{ci,kd,kh,kw} w[co,ci,kd,kh,kw] xp[n,ci,od+kd-P,oh+kh-P,ow+kw],
    /// for four output rows oh0..oh0+3 at once, each in its own accumulator (four independent FMA chains sharing each
    /// broadcast weight), over the same taps in the same order as the wider path, so the values are those of a
    /// one-row-at-a-time loop.
    /// </summary>
    private static void ShortRows<T, TV, TOps>(T* xp, T* w, T* y, in ConvGeometry g, int pw, int item)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        int K = g.K, P = g.P, lanes = TOps.Count;
        int n = item / g.YD, od = item % g.YD;
        nint yVox = (nint)g.YD * g.YH * g.YW, planeRows = (nint)g.XD * g.XH;
        T* tail = stackalloc T[lanes];
        for (int co = 0; co < g.Cy; co++)
            for (int oh0 = 0; oh0 < g.YH; oh0 += 4)
            {
                TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
                for (int ci = 0; ci < g.Cx; ci++)
                {
                    T* channel = xp + ((nint)n * g.Cx + ci) * planeRows * pw;
                    T* taps = w + ((nint)co * g.Cx + ci) * K * K * K;
                    for (int kd = 0; kd < K; kd++)
                    {
                        int id = od + kd - P;
                        if ((uint)id >= (uint)g.XD) continue;
                        for (int kh = 0; kh < K; kh++)
                        {
                            // Output row oh0 + r reads input row ih + r; a row outside the input (or past the output) adds nothing.
                            int ih = oh0 + kh - P;
                            bool r0 = (uint)ih < (uint)g.XH;
                            bool r1 = (uint)(ih + 1) < (uint)g.XH && oh0 + 1 < g.YH;
                            bool r2 = (uint)(ih + 2) < (uint)g.XH && oh0 + 2 < g.YH;
                            bool r3 = (uint)(ih + 3) < (uint)g.XH && oh0 + 3 < g.YH;
                            T* row = channel + ((nint)id * g.XH + ih) * pw;
                            T* tap = taps + (kd * K + kh) * K;
                            for (int kw = 0; kw < K; kw++)
                            {
                                var wv = TOps.Splat(tap[kw]);
                                if (r0) a0 = TOps.Fma(TOps.Load(row + kw), wv, a0);
                                if (r1) a1 = TOps.Fma(TOps.Load(row + pw + kw), wv, a1);
                                if (r2) a2 = TOps.Fma(TOps.Load(row + 2 * pw + kw), wv, a2);
                                if (r3) a3 = TOps.Fma(TOps.Load(row + 3 * pw + kw), wv, a3);
                            }
                        }
                    }
                }
                T* dst = y + ((nint)n * g.Cy + co) * yVox + ((nint)od * g.YH + oh0) * g.YW;
                StoreRow<T, TV, TOps>(a0, dst, g.YW, tail);
                if (oh0 + 1 < g.YH) StoreRow<T, TV, TOps>(a1, dst + g.YW, g.YW, tail);
                if (oh0 + 2 < g.YH) StoreRow<T, TV, TOps>(a2, dst + 2 * g.YW, g.YW, tail);
                if (oh0 + 3 < g.YH) StoreRow<T, TV, TOps>(a3, dst + 3 * g.YW, g.YW, tail);
            }
    }

    /// <summary>Stores the first <paramref name="width"/> lanes; a row shorter than a vector goes through <paramref name="tail"/>, so the store does not run into the next row.</summary>
    private static void StoreRow<T, TV, TOps>(TV value, T* target, int width, T* tail)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TOps : struct, IVecOps<T, TV>
    {
        if (width == TOps.Count) { TOps.Store(target, value); return; }
        TOps.Store(tail, value);
        new ReadOnlySpan<T>(tail, width).CopyTo(new Span<T>(target, width));
    }
}
