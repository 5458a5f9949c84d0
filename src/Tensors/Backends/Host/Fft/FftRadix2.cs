using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>Radix-2 column: y0 = x0 + x1, y1 = (x0 - x1) w1.</summary>
internal readonly struct FftRadix2 : IFftButterfly
{
    public static unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint si = c.InStride, so = c.OutStride;
        FftOutput.Twiddle<T, TV, L, TW>(c, 1, out TV w1r, out TV w1i);
        for (nint q = 0; q < c.Count; q += c.Step)
        {
            T* xr = c.Xr + q, xi = c.Xi + q, yr = c.Yr + q, yi = c.Yi + q;
            TV a0r = L.Load(xr), a0i = L.Load(xi), a1r = L.Load(xr + si), a1i = L.Load(xi + si);
            L.Store(yr, L.Add(a0r, a1r));
            L.Store(yi, L.Add(a0i, a1i));
            FftOutput.Put<T, TV, L, TW>(yr + so, yi + so, L.Sub(a0r, a1r), L.Sub(a0i, a1i), w1r, w1i);
        }
    }
}
