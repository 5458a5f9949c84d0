using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// The transposed convolution of <see cref="Conv3dKernels.Transposed{T}"/> without the taps that cannot contribute.
/// On each axis, output voxel i of x receives y[o] w[k] only for i = o*S - P + k, i.e. k = (i + P) mod S + j*S and
/// o = (i + P - k) / S for j = 0, 1, ... (o falling by one per step). Grouping the outputs by their phase (i + P) mod S
/// leaves ceil((K - phase) / S) taps per axis: at kernel 3, stride 2, even phases have 2 and odd phases 1, where the
/// reference loops over all 3 with a modulo test each (27 trips per channel in 3D where 1 to 8 are useful).
/// </summary>
public static class ConvTransposeByPhaseKernels
{
    /// <summary>
    /// <c>x[n,ci,i] = sum_co sum_(kd,kh,kw) y[n,co,o] w[co,ci,kd,kh,kw]</c> over, per axis, <c>k = k0 + j S</c>, <c>o = o0 - j</c>
    /// with <c>k0 = (i + P) mod S</c>, <c>o0 = (i + P - k0) / S</c>, <c>k &lt; K</c>, <c>0 &lt;= o &lt; Y</c>; the same products in the
    /// same order as the reference (ascending co, kd, kh, kw), so the same bits, passed through <paramref name="epilogue"/>.
    /// Layouts as <see cref="ConvGeometry"/>.
    /// </summary>
    public static void Transposed<T>(Index1D thread, int threads, ArrayView<T> y, ArrayView<T> w, ArrayView<T> x, ConvGeometry g, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < x.IntLength; r += threads)
        {
            ConvGeometry.Decode(r, g.Cx, g.XD, g.XH, g.XW, out int n, out int ci, out int id, out int ih, out int iw);
            // First tap per axis: the phase, and the coarse voxel it reads, moved up past the last coarse voxel.
            int kd0 = (id + g.P) % g.S, od0 = (id + g.P - kd0) / g.S, sd = Math.Max(0, od0 - g.YD + 1);
            int kh0 = (ih + g.P) % g.S, oh0 = (ih + g.P - kh0) / g.S, sh = Math.Max(0, oh0 - g.YH + 1);
            int kw0 = (iw + g.P) % g.S, ow0 = (iw + g.P - kw0) / g.S, sw = Math.Max(0, ow0 - g.YW + 1);
            T acc = T.Zero;
            // An axis without a tap leaves the voxel 0 (a kernel-1 stride-16 skip path reaches one voxel in 4096):
            // skip the loop over channels that would find no tap in each of them.
            if (kd0 + sd * g.S >= g.K || od0 < sd || kh0 + sh * g.S >= g.K || oh0 < sh || kw0 + sw * g.S >= g.K || ow0 < sw)
            {
                x[r] = epilogue.Apply(acc, r, ci);
                continue;
            }
            for (int co = 0; co < g.Cy; co++)
            {
                int yBase = (n * g.Cy + co) * g.YD, wBase = (co * g.Cx + ci) * g.K;
                for (int kd = kd0 + sd * g.S, od = od0 - sd; kd < g.K && od >= 0; kd += g.S, od--)
                    for (int kh = kh0 + sh * g.S, oh = oh0 - sh; kh < g.K && oh >= 0; kh += g.S, oh--)
                    {
                        int yRow = ((yBase + od) * g.YH + oh) * g.YW, wRow = ((wBase + kd) * g.K + kh) * g.K;
                        for (int kw = kw0 + sw * g.S, ow = ow0 - sw; kw < g.K && ow >= 0; kw += g.S, ow--)
                            acc += y[yRow + ow] * w[wRow + kw];
                    }
            }
            x[r] = epilogue.Apply(acc, r, ci);
        }
    }

    /// <summary>
    /// The transposed convolution for a kernel no longer than its stride (K &lt;= S: the skip paths' kernel 1 at stride 2
    /// to 16), where each output voxel receives at most one tap per axis: k = (i + P) mod S from coarse voxel
    /// o = (i + P) div S. Given the per-tap products <c>z[n, (ci*K + kd)*K + kh)*K + kw, od, oh, ow] = sum_co y[n,co,o] w[co,ci,kd,kh,kw]</c>
    /// (a 1 x 1 GEMM over the coarse grid, computed before), it spreads them onto the fine grid:
    /// <c>x[n,ci,i] = z[n, (ci, kd, kh, kw), o]</c> where every axis has k &lt; K and o &lt; Y, else 0. One thread per
    /// fine voxel, no loop over channels: the gather above makes the few voxels with a tap loop over all of them while
    /// the rest of their warp waits. Every x, tap or 0, passes through <paramref name="epilogue"/>. Layouts as
    /// <see cref="ConvGeometry"/>; z is [N, Cx K^3, YD, YH, YW].
    /// </summary>
    public static void SpreadTaps<T>(Index1D thread, int threads, ArrayView<T> z, ArrayView<T> x, ConvGeometry g, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < x.IntLength; r += threads)
        {
            ConvGeometry.Decode(r, g.Cx, g.XD, g.XH, g.XW, out int n, out int ci, out int id, out int ih, out int iw);
            int kd = (id + g.P) % g.S, od = (id + g.P) / g.S;
            int kh = (ih + g.P) % g.S, oh = (ih + g.P) / g.S;
            int kw = (iw + g.P) % g.S, ow = (iw + g.P) / g.S;
            if (kd >= g.K || kh >= g.K || kw >= g.K || od >= g.YD || oh >= g.YH || ow >= g.YW)
            {
                x[r] = epilogue.Apply(T.Zero, r, ci);
                continue;
            }
            int channel = ((ci * g.K + kd) * g.K + kh) * g.K + kw;
            x[r] = epilogue.Apply(z[(((n * g.Cx * g.K * g.K * g.K + channel) * g.YD + od) * g.YH + oh) * g.YW + ow], r, ci);
        }
    }
}
