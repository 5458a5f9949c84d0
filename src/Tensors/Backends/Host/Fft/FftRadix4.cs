using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxelGan.Tensors.Host;

/// <summary>Radix-4 column: y_k = w_k sum_r x_r (-i)^(rk), k, r &lt; 4.</summary>
internal readonly struct FftRadix4 : IFftButterfly
{
    public static unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint si = c.InStride, so = c.OutStride;
        FftOutput.Twiddle<T, TV, L, TW>(c, 1, out TV w1r, out TV w1i);
        FftOutput.Twiddle<T, TV, L, TW>(c, 2, out TV w2r, out TV w2i);
        FftOutput.Twiddle<T, TV, L, TW>(c, 3, out TV w3r, out TV w3i);
        for (nint q = 0; q < c.Count; q += c.Step)
        {
            T* xr = c.Xr + q, xi = c.Xi + q, yr = c.Yr + q, yi = c.Yi + q;
            Dft4<T, TV, L>(
                L.Load(xr), L.Load(xi), L.Load(xr + si), L.Load(xi + si),
                L.Load(xr + 2 * si), L.Load(xi + 2 * si), L.Load(xr + 3 * si), L.Load(xi + 3 * si),
                out TV b0r, out TV b0i, out TV b1r, out TV b1i, out TV b2r, out TV b2i, out TV b3r, out TV b3i);
            L.Store(yr, b0r);
            L.Store(yi, b0i);
            FftOutput.Put<T, TV, L, TW>(yr + so, yi + so, b1r, b1i, w1r, w1i);
            FftOutput.Put<T, TV, L, TW>(yr + 2 * so, yi + 2 * so, b2r, b2i, w2r, w2i);
            FftOutput.Put<T, TV, L, TW>(yr + 3 * so, yi + 3 * so, b3r, b3i, w3r, w3i);
        }
    }

    /// <summary>Forward 4-point DFT b_k = sum_r a_r (-i)^(rk); also the two halves of radix 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dft4<T, TV, L>(TV a0r, TV a0i, TV a1r, TV a1i, TV a2r, TV a2i, TV a3r, TV a3i,
        out TV b0r, out TV b0i, out TV b1r, out TV b1i, out TV b2r, out TV b2i, out TV b3r, out TV b3i)
        where T : unmanaged where TV : unmanaged where L : IFftLanes<T, TV>
    {
        TV t0r = L.Add(a0r, a2r), t0i = L.Add(a0i, a2i), t1r = L.Sub(a0r, a2r), t1i = L.Sub(a0i, a2i);
        TV t2r = L.Add(a1r, a3r), t2i = L.Add(a1i, a3i), t3r = L.Sub(a1r, a3r), t3i = L.Sub(a1i, a3i);
        b0r = L.Add(t0r, t2r); b0i = L.Add(t0i, t2i);
        b2r = L.Sub(t0r, t2r); b2i = L.Sub(t0i, t2i);
        // (a1 - a3) * (-i) = (t3i, -t3r)
        b1r = L.Add(t1r, t3i); b1i = L.Sub(t1i, t3r);
        b3r = L.Sub(t1r, t3i); b3i = L.Add(t1i, t3r);
    }
}
