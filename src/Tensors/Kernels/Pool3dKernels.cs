using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Average pooling with window = stride = K and its adjoint. x is [NC, XD, XH, XW] (batch and
/// channels merged), y is [NC, XD/K, XH/K, XW/K]; window o of y covers voxels o*K .. o*K+K-1 of x.
/// </summary>
public static class Pool3dKernels
{
    /// <summary><c>y[c,o] = scale * sum_{k in [0,K)^3} x[c, o*K + k]</c>; scale = 1/K^3 for an average.</summary>
    public static void Average<T>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> y, ConvGeometry g, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < y.IntLength; r += threads)
        {
            int ow = r % g.YW, t = r / g.YW, oh = t % g.YH; t /= g.YH;
            int od = t % g.YD, c = t / g.YD;
            T acc = T.Zero;
            for (int kd = 0; kd < g.K; kd++)
                for (int kh = 0; kh < g.K; kh++)
                {
                    int row = ((c * g.XD + od * g.K + kd) * g.XH + oh * g.K + kh) * g.XW + ow * g.K;
                    for (int kw = 0; kw < g.K; kw++) acc += x[row + kw];
                }
            y[r] = acc * scale;
        }
    }

    /// <summary>
    /// Nearest-neighbour upsampling, scaled: <c>x[c,i] = scale * y[c, i / K]</c>. With scale = 1/K^3 it is
    /// the adjoint (and so the gradient) of <see cref="Average"/>, and Average is its gradient in turn.
    /// </summary>
    public static void Upsample<T>(Index1D thread, int threads, ArrayView<T> y, ArrayView<T> x, ConvGeometry g, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < x.IntLength; r += threads)
        {
            int iw = r % g.XW, t = r / g.XW, ih = t % g.XH; t /= g.XH;
            int id = t % g.XD, c = t / g.XD;
            x[r] = y[((c * g.YD + id / g.K) * g.YH + ih / g.K) * g.YW + iw / g.K] * scale;
        }
    }
}
