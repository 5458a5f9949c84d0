using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Radix-8 column: y_k = w_k sum_r x_r W^(rk), W = exp(-2 pi i / 8), as two 4-point DFTs (even and
/// odd r) joined by W^k. Fewer passes over scratch than radix 4 for the same arithmetic.
/// </summary>
internal readonly struct FftRadix8 : IFftButterfly
{
    public static unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint si = c.InStride, so = c.OutStride;
        TV h = L.Splat(T.CreateTruncating(Math.Sqrt(0.5)));
        for (nint q = 0; q < c.Count; q += c.Step)
        {
            T* xr = c.Xr + q, xi = c.Xi + q, yr = c.Yr + q, yi = c.Yi + q;
            FftRadix4.Dft4<T, TV, L>(
                L.Load(xr), L.Load(xi), L.Load(xr + 2 * si), L.Load(xi + 2 * si),
                L.Load(xr + 4 * si), L.Load(xi + 4 * si), L.Load(xr + 6 * si), L.Load(xi + 6 * si),
                out TV e0r, out TV e0i, out TV e1r, out TV e1i, out TV e2r, out TV e2i, out TV e3r, out TV e3i);
            FftRadix4.Dft4<T, TV, L>(
                L.Load(xr + si), L.Load(xi + si), L.Load(xr + 3 * si), L.Load(xi + 3 * si),
                L.Load(xr + 5 * si), L.Load(xi + 5 * si), L.Load(xr + 7 * si), L.Load(xi + 7 * si),
                out TV o0r, out TV o0i, out TV o1r, out TV o1i, out TV o2r, out TV o2i, out TV o3r, out TV o3i);
            // o1 * W = ((r + i) h, (i - r) h); o2 * W^2 = (i, -r); o3 * W^3 = ((i - r) h, -(r + i) h)
            TV p1r = L.Mul(L.Add(o1r, o1i), h), p1i = L.Mul(L.Sub(o1i, o1r), h);
            TV p3r = L.Mul(L.Sub(o3i, o3r), h), p3i = L.Mul(L.Add(o3r, o3i), h);
            Emit<T, TV, L, TW>(c, yr, yi, 0, L.Add(e0r, o0r), L.Add(e0i, o0i));
            Emit<T, TV, L, TW>(c, yr, yi, 4, L.Sub(e0r, o0r), L.Sub(e0i, o0i));
            Emit<T, TV, L, TW>(c, yr, yi, 1, L.Add(e1r, p1r), L.Add(e1i, p1i));
            Emit<T, TV, L, TW>(c, yr, yi, 5, L.Sub(e1r, p1r), L.Sub(e1i, p1i));
            Emit<T, TV, L, TW>(c, yr, yi, 2, L.Add(e2r, o2i), L.Sub(e2i, o2r));
            Emit<T, TV, L, TW>(c, yr, yi, 6, L.Sub(e2r, o2i), L.Add(e2i, o2r));
            Emit<T, TV, L, TW>(c, yr, yi, 3, L.Add(e3r, p3r), L.Sub(e3i, p3i));
            Emit<T, TV, L, TW>(c, yr, yi, 7, L.Sub(e3r, p3r), L.Add(e3i, p3i));
        }
    }

    // Seven twiddle pairs would not fit in registers next to the data, so they are broadcast from
    // memory at the store (a broadcast load is as cheap as a register operand on AVX-512).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static unsafe void Emit<T, TV, L, TW>(in FftColumn<T> c, T* yr, T* yi, int k, TV br, TV bi)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint o = k * c.OutStride;
        if (k == 0)
        {
            L.Store(yr, br);
            L.Store(yi, bi);
            return;
        }
        FftOutput.Twiddle<T, TV, L, TW>(c, k, out TV wr, out TV wi);
        FftOutput.Put<T, TV, L, TW>(yr + o, yi + o, br, bi, wr, wi);
    }
}
