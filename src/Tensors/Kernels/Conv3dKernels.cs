using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Geometry shared by the three convolution kernels. The "fine" grid x is [N, Cx, XD, XH, XW], the
/// "coarse" grid y is [N, Cy, YD, YH, YW], the weight w is [Cy, Cx, K, K, K], all row-major, and
/// voxel o of y sees voxels <c>i = o*S - P + k</c>, k in [0, K), of x on each axis (out-of-range
/// voxels count as zero padding). Conv3d maps x to y, its transpose maps y to x.
/// </summary>
public struct ConvGeometry
{
#pragma warning disable CS1591
    public int N, Cx, Cy;
    public int XD, XH, XW;
    public int YD, YH, YW;
    public int K, S, P;
#pragma warning restore CS1591

    /// <summary>
    /// Slices the weight gradient's reduction over (n, od) is split into (split-K): with few weights
    /// (16 x 27 in the critic's first layer) one thread per weight would leave a GPU nearly idle.
    /// 1 for the other kernels.
    /// </summary>
    public int Parts;

    /// <summary>
    /// 1 when the weight gradient's output continues, after its Cy Cx K^3 weights, with the Cy sums of y over batch and
    /// voxels (the gradient of the bias of the convolution whose output gradient y is: folded into the weight
    /// gradient's sweep over y instead of a reduction launch of its own); 0 for the other kernels.
    /// </summary>
    public int BiasSums;

    /// <summary>The coordinates (n, c, d, h, w) of element <paramref name="r"/> of a row-major [N, C, D, H, W] tensor with these C, D, H, W.</summary>
    public static void Decode(int r, int c, int d, int h, int w, out int n, out int channel, out int z, out int y, out int x)
    {
        x = r % w;
        int t = r / w;
        y = t % h; t /= h;
        z = t % d; t /= d;
        channel = t % c;
        n = t / c;
    }

    /// <summary>Geometry from the fine and coarse shapes and the kernel parameters.</summary>
    public static ConvGeometry Create(Shape x, Shape y, int k, int stride, int padding) => new()
    {
        N = x[0], Cx = x[1], Cy = y[1],
        XD = x[2], XH = x[3], XW = x[4],
        YD = y[2], YH = y[3], YW = y[4],
        K = k, S = stride, P = padding, Parts = 1,
    };
}

/// <summary>
/// 3D convolution as three kernels that are each other's derivatives (so second derivatives close):
/// <see cref="Forward"/> (x, w -&gt; y), <see cref="Transposed"/> (y, w -&gt; x) and
/// <see cref="WeightGradient"/> (x, y -&gt; w). Each thread computes whole output elements (a gather,
/// no atomics); consecutive threads write consecutive W positions, so accesses are coalesced on a GPU.
/// </summary>
public static class Conv3dKernels
{
    /// <summary>
    /// Convolution (cross-correlation, as PyTorch's <c>conv3d</c>):
    /// <c>y[n,co,od,oh,ow] = sum_{ci,kd,kh,kw} x[n,ci,od*S-P+kd, oh*S-P+kh, ow*S-P+kw] * w[co,ci,kd,kh,kw]</c>, passed
    /// through <paramref name="epilogue"/> (bias, residual and activation; <c>default</c>: the sum itself).
    /// </summary>
    public static void Forward<T>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> w, ArrayView<T> y, ConvGeometry g, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < y.IntLength; r += threads)
        {
            ConvGeometry.Decode(r, g.Cy, g.YD, g.YH, g.YW, out int n, out int co, out int od, out int oh, out int ow);
            T acc = T.Zero;
            for (int ci = 0; ci < g.Cx; ci++)
            {
                int xBase = (n * g.Cx + ci) * g.XD, wBase = (co * g.Cx + ci) * g.K;
                for (int kd = 0; kd < g.K; kd++)
                {
                    int id = od * g.S - g.P + kd;
                    if (id < 0 || id >= g.XD) continue;
                    for (int kh = 0; kh < g.K; kh++)
                    {
                        int ih = oh * g.S - g.P + kh;
                        if (ih < 0 || ih >= g.XH) continue;
                        int xRow = ((xBase + id) * g.XH + ih) * g.XW, wRow = ((wBase + kd) * g.K + kh) * g.K;
                        for (int kw = 0; kw < g.K; kw++)
                        {
                            int iw = ow * g.S - g.P + kw;
                            if (iw >= 0 && iw < g.XW) acc += x[xRow + iw] * w[wRow + kw];
                        }
                    }
                }
            }
            y[r] = epilogue.Apply(acc, r, co);
        }
    }

    /// <summary>
    /// Transposed convolution (the adjoint of <see cref="Forward"/> in x; PyTorch's <c>conv_transpose3d</c>):
    /// <c>x[n,ci,i] = sum_{co,k} y[n,co,o] * w[co,ci,k]</c> over the o, k with <c>i = o*S - P + k</c> on
    /// every axis, i.e. o = (i + P - k) / S where that division is exact and 0 &lt;= o &lt; Y; passed through
    /// <paramref name="epilogue"/> (channel ci).
    /// </summary>
    public static void Transposed<T>(Index1D thread, int threads, ArrayView<T> y, ArrayView<T> w, ArrayView<T> x, ConvGeometry g, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < x.IntLength; r += threads)
        {
            ConvGeometry.Decode(r, g.Cx, g.XD, g.XH, g.XW, out int n, out int ci, out int id, out int ih, out int iw);
            T acc = T.Zero;
            for (int co = 0; co < g.Cy; co++)
            {
                int yBase = (n * g.Cy + co) * g.YD, wBase = (co * g.Cx + ci) * g.K;
                for (int kd = 0; kd < g.K; kd++)
                {
                    int sd = id + g.P - kd;
                    if (sd < 0 || sd % g.S != 0 || sd / g.S >= g.YD) continue;
                    for (int kh = 0; kh < g.K; kh++)
                    {
                        int sh = ih + g.P - kh;
                        if (sh < 0 || sh % g.S != 0 || sh / g.S >= g.YH) continue;
                        int yRow = ((yBase + sd / g.S) * g.YH + sh / g.S) * g.YW, wRow = ((wBase + kd) * g.K + kh) * g.K;
                        for (int kw = 0; kw < g.K; kw++)
                        {
                            int sw = iw + g.P - kw;
                            if (sw >= 0 && sw % g.S == 0 && sw / g.S < g.YW) acc += y[yRow + sw / g.S] * w[wRow + kw];
                        }
                    }
                }
            }
            x[r] = epilogue.Apply(acc, r, ci);
        }
    }

    /// <summary>
    /// Gradient of <see cref="Forward"/> with respect to the weight, split into <c>Parts</c> slices:
    /// <c>partial[q, co,ci,kd,kh,kw] = sum_{(n,od) in slice q} sum_{oh,ow} y[n,co,od,oh,ow] * x[n,ci,od*S-P+kd, oh*S-P+kh, ow*S-P+kw]</c>,
    /// where slice q holds the pairs p = n*YD + od with q*ceil(N*YD/Parts) &lt;= p &lt; (q+1)*ceil(N*YD/Parts).
    /// The weight gradient is the sum of the slices over q (one slice: the gradient itself). With <c>BiasSums</c> each
    /// slice continues with <c>partial[q, Cy Cx K^3 + co] = sum_{(n,od) in slice q} sum_{oh,ow} y[n,co,od,oh,ow]</c>.
    /// </summary>
    public static void WeightGradient<T>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> y, ArrayView<T> partial, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int weights = g.Cy * g.Cx * g.K * g.K * g.K, outputs = weights + g.BiasSums * g.Cy, pairs = g.N * g.YD, chunk = (pairs + g.Parts - 1) / g.Parts;
        for (int r = thread; r < partial.IntLength; r += threads)
        {
            int q = r / outputs, wi = r - q * outputs;
            if (wi >= weights)
            {
                partial[r] = BiasSum(y, g, wi - weights, q * chunk, Math.Min(pairs, (q + 1) * chunk));
                continue;
            }
            int kw = wi % g.K, t = wi / g.K, kh = t % g.K; t /= g.K;
            int kd = t % g.K; t /= g.K;
            int ci = t % g.Cx, co = t / g.Cx;
            T acc = T.Zero;
            int end = Math.Min(pairs, (q + 1) * chunk);
            for (int p = q * chunk; p < end; p++)
            {
                int n = p / g.YD, od = p - n * g.YD;
                int id = od * g.S - g.P + kd;
                if (id < 0 || id >= g.XD) continue;
                int xBase = ((n * g.Cx + ci) * g.XD + id) * g.XH, yBase = ((n * g.Cy + co) * g.YD + od) * g.YH;
                for (int oh = 0; oh < g.YH; oh++)
                {
                    int ih = oh * g.S - g.P + kh;
                    if (ih < 0 || ih >= g.XH) continue;
                    int xRow = (xBase + ih) * g.XW, yRow = (yBase + oh) * g.YW;
                    for (int ow = 0; ow < g.YW; ow++)
                    {
                        int iw = ow * g.S - g.P + kw;
                        if (iw >= 0 && iw < g.XW) acc += y[yRow + ow] * x[xRow + iw];
                    }
                }
            }
            partial[r] = acc;
        }
    }

    /// <summary><c>sum_{first &lt;= n*YD + od &lt; end} sum_{oh,ow} y[n,co,od,oh,ow]</c>, ascending.</summary>
    private static T BiasSum<T>(ArrayView<T> y, ConvGeometry g, int co, int first, int end) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T acc = T.Zero;
        for (int p = first; p < end; p++)
        {
            int n = p / g.YD, od = p - n * g.YD, yBase = ((n * g.Cy + co) * g.YD + od) * g.YH * g.YW;
            for (int v = 0; v < g.YH * g.YW; v++) acc += y[yBase + v];
        }
        return acc;
    }
}
