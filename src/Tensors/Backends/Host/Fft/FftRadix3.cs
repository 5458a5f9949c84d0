using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Radix-3 column: y_k = w_k sum_r x_r W^(rk), W = exp(-2 pi i / 3), via
/// y0 = x0 + t, y1,2 = x0 - t/2 -/+ i (sqrt(3)/2) d with t = x1 + x2, d = x1 - x2.
/// </summary>
internal readonly struct FftRadix3 : IFftButterfly
{
    public static unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint si = c.InStride, so = c.OutStride;
        TV half = L.Splat(T.CreateTruncating(-0.5)), s3 = L.Splat(T.CreateTruncating(Math.Sqrt(0.75)));
        FftOutput.Twiddle<T, TV, L, TW>(c, 1, out TV w1r, out TV w1i);
        FftOutput.Twiddle<T, TV, L, TW>(c, 2, out TV w2r, out TV w2i);
        for (nint q = 0; q < c.Count; q += c.Step)
        {
            T* xr = c.Xr + q, xi = c.Xi + q, yr = c.Yr + q, yi = c.Yi + q;
            TV a0r = L.Load(xr), a0i = L.Load(xi);
            TV a1r = L.Load(xr + si), a1i = L.Load(xi + si), a2r = L.Load(xr + 2 * si), a2i = L.Load(xi + 2 * si);
            TV tr = L.Add(a1r, a2r), ti = L.Add(a1i, a2i);
            TV dr = L.Mul(L.Sub(a1r, a2r), s3), di = L.Mul(L.Sub(a1i, a2i), s3);
            TV mr = L.MulAdd(tr, half, a0r), mi = L.MulAdd(ti, half, a0i);
            L.Store(yr, L.Add(a0r, tr));
            L.Store(yi, L.Add(a0i, ti));
            FftOutput.Put<T, TV, L, TW>(yr + so, yi + so, L.Add(mr, di), L.Sub(mi, dr), w1r, w1i);
            FftOutput.Put<T, TV, L, TW>(yr + 2 * so, yi + 2 * so, L.Sub(mr, di), L.Add(mi, dr), w2r, w2i);
        }
    }
}
