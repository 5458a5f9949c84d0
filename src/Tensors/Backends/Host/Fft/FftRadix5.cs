using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Radix-5 column: y_k = w_k sum_r x_r W^(rk), W = exp(-2 pi i / 5), pairing r with 5 - r:
/// t1,2 = x1 + x4, x2 + x3 and d1,2 = x1 - x4, x2 - x3; y1,4 = m1 -/+ i n1, y2,3 = m2 -/+ i n2 with
/// m1 = x0 + c1 t1 + c2 t2, m2 = x0 + c2 t1 + c1 t2, n1 = s1 d1 + s2 d2, n2 = s2 d1 - s1 d2,
/// ck = cos(2 pi k / 5), sk = sin(2 pi k / 5).
/// </summary>
internal readonly struct FftRadix5 : IFftButterfly
{
    public static unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint si = c.InStride, so = c.OutStride;
        TV c1 = L.Splat(T.CreateTruncating(Math.Cos(2 * Math.PI / 5))), c2 = L.Splat(T.CreateTruncating(Math.Cos(4 * Math.PI / 5)));
        TV s1 = L.Splat(T.CreateTruncating(Math.Sin(2 * Math.PI / 5))), s2 = L.Splat(T.CreateTruncating(Math.Sin(4 * Math.PI / 5)));
        for (nint q = 0; q < c.Count; q += c.Step)
        {
            T* xr = c.Xr + q, xi = c.Xi + q, yr = c.Yr + q, yi = c.Yi + q;
            TV a0r = L.Load(xr), a0i = L.Load(xi);
            TV a1r = L.Load(xr + si), a1i = L.Load(xi + si), a4r = L.Load(xr + 4 * si), a4i = L.Load(xi + 4 * si);
            TV a2r = L.Load(xr + 2 * si), a2i = L.Load(xi + 2 * si), a3r = L.Load(xr + 3 * si), a3i = L.Load(xi + 3 * si);
            TV t1r = L.Add(a1r, a4r), t1i = L.Add(a1i, a4i), d1r = L.Sub(a1r, a4r), d1i = L.Sub(a1i, a4i);
            TV t2r = L.Add(a2r, a3r), t2i = L.Add(a2i, a3i), d2r = L.Sub(a2r, a3r), d2i = L.Sub(a2i, a3i);
            TV m1r = L.MulAdd(c2, t2r, L.MulAdd(c1, t1r, a0r)), m1i = L.MulAdd(c2, t2i, L.MulAdd(c1, t1i, a0i));
            TV m2r = L.MulAdd(c1, t2r, L.MulAdd(c2, t1r, a0r)), m2i = L.MulAdd(c1, t2i, L.MulAdd(c2, t1i, a0i));
            TV n1r = L.MulAdd(s2, d2r, L.Mul(s1, d1r)), n1i = L.MulAdd(s2, d2i, L.Mul(s1, d1i));
            TV n2r = L.MulSub(s2, d1r, L.Mul(s1, d2r)), n2i = L.MulSub(s2, d1i, L.Mul(s1, d2i));
            L.Store(yr, L.Add(a0r, L.Add(t1r, t2r)));
            L.Store(yi, L.Add(a0i, L.Add(t1i, t2i)));
            Emit<T, TV, L, TW>(c, yr, yi, 1, L.Add(m1r, n1i), L.Sub(m1i, n1r));
            Emit<T, TV, L, TW>(c, yr, yi, 4, L.Sub(m1r, n1i), L.Add(m1i, n1r));
            Emit<T, TV, L, TW>(c, yr, yi, 2, L.Add(m2r, n2i), L.Sub(m2i, n2r));
            Emit<T, TV, L, TW>(c, yr, yi, 3, L.Sub(m2r, n2i), L.Add(m2i, n2r));
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static unsafe void Emit<T, TV, L, TW>(in FftColumn<T> c, T* yr, T* yi, int k, TV br, TV bi)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        FftOutput.Twiddle<T, TV, L, TW>(c, k, out TV wr, out TV wi);
        FftOutput.Put<T, TV, L, TW>(yr + k * c.OutStride, yi + k * c.OutStride, br, bi, wr, wi);
    }
}
