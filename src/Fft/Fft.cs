using VoxelGan.Tensors.Kernels;
using VoxelGan.Tensors;

namespace VoxelGan.Fft;

/// <summary>
/// Discrete Fourier transforms of complex tensors stored as interleaved (re, im) pairs: a tensor of
/// shape [..., 2] holds complex values of shape [...]. Forward: X_k = sum_t x_t exp(-2 pi i k t / n);
/// inverse: x_t = (1/n) sum_k X_k exp(+2 pi i k t / n) (NumPy's convention). Any length works: one
/// Stockham pass per prime factor, radix 2, 3 and 5 as small butterflies, any other prime factor as a
/// direct DFT of that size (so a large prime length costs O(n^2)).
/// </summary>
public static class Fourier
{
    /// <summary>Transforms along complex axis <paramref name="axis"/> (negative counts from the last complex axis).</summary>
    public static Tensor Transform(Tensor x, int axis, bool inverse = false)
    {
        var y = Ops.FourierTransform(x, axis, inverse ? 1 : -1);
        if (!inverse) return y;
        int n = new Shape(x.Shape.ToArray()[..^1])[axis];
        using (y) return Ops.MulScalar(y, 1.0 / n);
    }

    /// <summary>
    /// Transforms over the last three complex axes (a 3D transform of [..., D, H, W, 2]); the inverse is
    /// scaled once, by 1/(D H W), unless <paramref name="scaled"/> is false (a caller that keeps only part
    /// of the result scales that part itself).
    /// </summary>
    public static Tensor Transform3d(Tensor x, bool inverse = false, bool scaled = true)
    {
        int sign = inverse ? 1 : -1;
        var result = Ops.FourierTransform(x, -1, sign);
        for (int axis = -2; axis >= -3; axis--)
        {
            var next = Ops.FourierTransform(result, axis, sign);
            result.Dispose();
            result = next;
        }
        if (!inverse || !scaled) return result;
        using (result) return Ops.MulScalar(result, 1.0 / ((long)x.Shape[-2] * x.Shape[-3] * x.Shape[-4]));
    }

    /// <summary>A complex tensor [..., 2] with the values of <paramref name="real"/> and zero imaginary parts.</summary>
    public static Tensor FromReal(Tensor real)
    {
        // One fill and one interleaving copy (a concatenation with a zero tensor made and copied a third).
        using var column = real.Reshape([.. real.Shape, 1]);
        return Ops.Pad(column, new int[column.Rank], [.. Enumerable.Repeat(0, column.Rank - 1), 1]);
    }

    /// <summary>The real parts of a complex tensor [..., 2].</summary>
    public static Tensor RealPart(Tensor complex)
    {
        using var re = Ops.Slice(complex, -1, 0, 1);
        return re.Reshape(complex.Shape.ToArray()[..^1]);
    }

    /// <summary>Prime factors of n in increasing order (n = 1: none).</summary>
    public static List<int> Factor(int n) => FftKernels.Factor(n);
}
