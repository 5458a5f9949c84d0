using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Any odd radix P by a direct O(P^2) DFT: y_k = w_k sum_r x_r W^(rk), W = exp(-2 pi i / P), pairing
/// r with P - r (t_r = x_r + x_(P-r), d_r = x_r - x_(P-r)) so y_k, y_(P-k) = m_k -/+ i n_k with
/// m_k = x0 + sum_r cos(2 pi rk / P) t_r and n_k = sum_r sin(2 pi rk / P) d_r, r, k = 1..(P-1)/2.
/// This is how large prime factors (e.g. n = 97) are handled: O(n^2) when n itself is prime.
/// </summary>
internal readonly struct FftRadixGeneric : IFftButterfly
{
    public static unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        nint si = c.InStride, so = c.OutStride;
        nint g = L.Count;
        int p = c.P, h = (p - 1) / 2;
        T* tmp = c.Tmp; // per r: t.re, t.im, d.re, d.im, each one vector
        for (nint q = 0; q < c.Count; q += c.Step)
        {
            T* xr = c.Xr + q, xi = c.Xi + q, yr = c.Yr + q, yi = c.Yi + q;
            TV a0r = L.Load(xr), a0i = L.Load(xi), sr = a0r, sm = a0i;
            for (int r = 1; r <= h; r++)
            {
                TV ar = L.Load(xr + r * si), ai = L.Load(xi + r * si);
                TV br = L.Load(xr + (p - r) * si), bi = L.Load(xi + (p - r) * si);
                TV tr = L.Add(ar, br), ti = L.Add(ai, bi);
                T* w = tmp + (r - 1) * 4 * g;
                L.Store(w, tr);
                L.Store(w + g, ti);
                L.Store(w + 2 * g, L.Sub(ar, br));
                L.Store(w + 3 * g, L.Sub(ai, bi));
                sr = L.Add(sr, tr);
                sm = L.Add(sm, ti);
            }
            L.Store(yr, sr);
            L.Store(yi, sm);
            for (int k = 1; k <= h; k++)
            {
                TV mr = a0r, mi = a0i, nr = default, ni = default;
                int idx = 0;
                for (int r = 1; r <= h; r++)
                {
                    idx += k;
                    if (idx >= p) idx -= p;
                    T* w = tmp + (r - 1) * 4 * g;
                    TV cs = L.Broadcast(c.RootCos + idx), sn = L.Broadcast(c.RootSin + idx);
                    mr = L.MulAdd(cs, L.Load(w), mr);
                    mi = L.MulAdd(cs, L.Load(w + g), mi);
                    nr = L.MulAdd(sn, L.Load(w + 2 * g), nr);
                    ni = L.MulAdd(sn, L.Load(w + 3 * g), ni);
                }
                FftOutput.Twiddle<T, TV, L, TW>(c, k, out TV wkr, out TV wki);
                FftOutput.Put<T, TV, L, TW>(yr + k * so, yi + k * so, L.Add(mr, ni), L.Sub(mi, nr), wkr, wki);
                FftOutput.Twiddle<T, TV, L, TW>(c, p - k, out TV wpr, out TV wpi);
                FftOutput.Put<T, TV, L, TW>(yr + (p - k) * so, yi + (p - k) * so, L.Sub(mr, ni), L.Add(mi, nr), wpr, wpi);
            }
        }
    }
}
