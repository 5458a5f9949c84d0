using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Self-sorting (Stockham, decimation in frequency) forward DFT of one group of G lines held in
/// scratch: element e of the group is the real lane vector at e * 2G and the imaginary one at e * 2G + G.
/// </summary>
/// <remarks>
/// Stage with radix p, stride s (product of earlier radices) and current length nc = n / s,
/// m = nc / p: for j &lt; m, q &lt; s, with a_r = X[q + s (j + r m)],
/// Y[q + s (p j + k)] = exp(-2 pi i j k / nc) * sum_r a_r exp(-2 pi i r k / p).
/// After the last stage Y holds the DFT in natural order; no bit reversal pass is needed.
/// </remarks>
internal static unsafe class FftStockham
{
    /// <summary>Transforms a in place using b as the ping-pong buffer; returns true when the result ended in b.</summary>
    public static bool Forward<T, TV, L>(FftPlan<T> plan, T* a, T* b, T* tmp)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV>
    {
        nint g = 2 * L.Count, s = 1;
        T* ar = a, ai = a + L.Count, br = b, bi = b + L.Count;
        int nc = plan.N;
        bool inB = false;
        int[] radices = plan.Radices;
        for (int st = 0; st < radices.Length; st++)
        {
            int p = radices[st], m = nc / p;
            var c = new FftColumn<T>
            {
                Count = s * g,
                InStride = s * m * g,
                OutStride = s * g,
                Step = g,
                P = p,
                RootCos = plan.RootCos + plan.RootOffsets[st],
                RootSin = plan.RootSin + plan.RootOffsets[st],
                Tmp = tmp,
            };
            T* twr = plan.TwRe + plan.TwiddleOffsets[st], twi = plan.TwIm + plan.TwiddleOffsets[st];
            T* xr = inB ? br : ar, xi = inB ? bi : ai, yr = inB ? ar : br, yi = inB ? ai : bi;
            switch (p)
            {
                case 2: Pass<T, TV, L, FftRadix2>(ref c, m, xr, xi, yr, yi, twr, twi); break;
                case 3: Pass<T, TV, L, FftRadix3>(ref c, m, xr, xi, yr, yi, twr, twi); break;
                case 4: Pass<T, TV, L, FftRadix4>(ref c, m, xr, xi, yr, yi, twr, twi); break;
                case 5: Pass<T, TV, L, FftRadix5>(ref c, m, xr, xi, yr, yi, twr, twi); break;
                case 8: Pass<T, TV, L, FftRadix8>(ref c, m, xr, xi, yr, yi, twr, twi); break;
                default: Pass<T, TV, L, FftRadixGeneric>(ref c, m, xr, xi, yr, yi, twr, twi); break;
            }
            inB = !inB;
            s *= p;
            nc = m;
        }
        return inB;
    }

    static void Pass<T, TV, L, B>(ref FftColumn<T> c, int m, T* xr, T* xi, T* yr, T* yi, T* twr, T* twi)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV> where B : IFftButterfly
    {
        nint step = c.Count;
        int p1 = c.P - 1;
        for (int j = 0; j < m; j++)
        {
            c.Xr = xr + j * step;
            c.Xi = xi + j * step;
            c.Yr = yr + j * (c.P * step);
            c.Yi = yi + j * (c.P * step);
            c.TwRe = twr + j * p1;
            c.TwIm = twi + j * p1;
            // j = 0 has all twiddles equal to 1; this is the whole last stage, so skipping pays.
            if (j == 0) B.Column<T, TV, L, FftNoTwiddles>(c);
            else B.Column<T, TV, L, FftWithTwiddles>(c);
        }
    }
}
