using System.Numerics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Gathers of shifted (and possibly strided) rows of one channel's 3-D grid with zero padding: the
/// on-the-fly im2col that feeds the convolutions' implicit GEMMs.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// For q &lt; rows, t &lt; width: dst[q*width + t] = src[d, h0 + q*stride, w0 + t*stride] of the
    /// [sd, sh, sw] row-major grid <paramref name="src"/>, zero where any index falls outside it.
    /// </summary>
    public static void Rows<T>(T* src, int sd, int sh, int sw, int d, int h0, int w0, int stride,
                               int rows, int width, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if ((uint)d >= (uint)sd)
        {
            new Span<T>(dst, rows * width).Clear();
            return;
        }
        T* plane = src + (nint)d * sh * sw;
        for (int q = 0; q < rows; q++, dst += width)
        {
            int h = h0 + q * stride;
            if ((uint)h >= (uint)sh) new Span<T>(dst, width).Clear();
            else Shifted(plane + (nint)h * sw, sw, stride, w0, dst, width);
        }
    }

    /// <summary>dst[t] = src[t*stride + off] when 0 &lt;= t*stride + off &lt; len, else 0, for t &lt; n.</summary>
    public static void Shifted<T>(T* src, int len, int stride, int off, T* dst, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
        int hi = len - off <= 0 ? 0 : (len - off + stride - 1) / stride;
        lo = Math.Min(lo, n);
        hi = Math.Clamp(hi, lo, n);
        for (int t = 0; t < lo; t++) dst[t] = T.Zero;
        if (stride == 1)
            new ReadOnlySpan<T>(src + lo + off, hi - lo).CopyTo(new Span<T>(dst + lo, hi - lo));
        else
            for (int t = lo; t < hi; t++) dst[t] = src[t * stride + off];
        for (int t = hi; t < n; t++) dst[t] = T.Zero;
    }
}
