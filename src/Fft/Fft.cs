using VoxelGan.Fft.Kernels;
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
        if (x.Rank < 2 || x.Shape[-1] != 2)
            throw new ShapeException($"FFT input {x.Shape} is not complex: the last axis must hold (re, im) pairs, extent 2");
        if (x.DType == DType.Float16) throw new NotSupportedException($"FFT of {x}: cast float16 to float32 first");
        var complexShape = new Shape(x.Shape.ToArray()[..^1]);
        int a = complexShape.NormalizeAxis(axis);
        int n = complexShape[a];
        int outer = 1, inner = 1;
        for (int k = 0; k < a; k++) outer *= complexShape[k];
        for (int k = a + 1; k < complexShape.Rank; k++) inner *= complexShape[k];
        var current = Ops.Clone(x);
        if (n <= 1 || x.Numel == 0) return current;
        var other = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var twiddles = Twiddles(n, inverse ? 1 : -1, x.DType, x.Device);
        int length = n, stride = 1;
        foreach (int r in Factor(n))
        {
            var pass = new FftPass { Outer = outer, N = n, Inner = inner, Radix = r, L = length, S = stride, Sign = inverse ? 1 : -1 };
            if (x.DType == DType.Float32) FftKernels.Run(x.Device, current.View<float>(), other.View<float>(), twiddles.View<float>(), pass);
            else FftKernels.Run(x.Device, current.View<double>(), other.View<double>(), twiddles.View<double>(), pass);
            (current, other) = (other, current);
            length /= r;
            stride *= r;
        }
        other.Dispose();
        if (!inverse) return current;
        using (current) return Ops.MulScalar(current, 1.0 / n);
    }

    /// <summary>Transforms over the last three complex axes (a 3D transform of [..., D, H, W, 2]).</summary>
    public static Tensor Transform3d(Tensor x, bool inverse = false)
    {
        var result = Transform(x, -1, inverse);
        for (int axis = -2; axis >= -3; axis--)
        {
            var next = Transform(result, axis, inverse);
            result.Dispose();
            result = next;
        }
        return result;
    }

    /// <summary>A complex tensor [..., 2] with the values of <paramref name="real"/> and zero imaginary parts.</summary>
    public static Tensor FromReal(Tensor real)
    {
        using var column = real.Reshape([.. real.Shape, 1]);
        using var zeros = Tensor.Zeros(column.Shape, real.DType, real.Device);
        return Ops.Concat([column, zeros], -1);
    }

    /// <summary>The real parts of a complex tensor [..., 2].</summary>
    public static Tensor RealPart(Tensor complex)
    {
        using var re = Ops.Slice(complex, -1, 0, 1);
        return re.Reshape(complex.Shape.ToArray()[..^1]);
    }

    /// <summary>exp(sign 2 pi i e / n) for e &lt; n as interleaved pairs, computed in float64.</summary>
    private static Tensor Twiddles(int n, int sign, DType dtype, Device device)
    {
        var w = new double[2 * n];
        for (int e = 0; e < n; e++)
        {
            double angle = sign * 2 * Math.PI * e / n;
            (w[2 * e], w[2 * e + 1]) = (Math.Cos(angle), Math.Sin(angle));
        }
        return dtype == DType.Float64 ? Tensor.FromArray(w, device: device) : Tensor.FromArray(Array.ConvertAll(w, v => (float)v), device: device);
    }

    /// <summary>Prime factors of n in increasing order (n = 1: none).</summary>
    public static List<int> Factor(int n)
    {
        var factors = new List<int>();
        for (int p = 2; (long)p * p <= n; p++)
            while (n % p == 0) { factors.Add(p); n /= p; }
        if (n > 1) factors.Add(n);
        return factors;
    }
}
