using MathNet.Numerics.LinearAlgebra;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>Weight initialisers (DESIGN.md section 3: orthogonal kernels, zero biases).</summary>
public static class Initializers
{
    /// <summary>
    /// Orthogonal initialisation (Saxe et al. 2014), as PyTorch's <c>orthogonal_</c> and Keras'
    /// <c>Orthogonal</c>: view the weight as a matrix of shape [shape[0], numel / shape[0]] (for a
    /// convolution [fan_out, fan_in k^3]); draw a Gaussian matrix, take Q of its QR decomposition with
    /// the signs of R's diagonal folded in (so Q is uniformly distributed), transposed when there are
    /// fewer rows than columns. The result has orthonormal rows or columns, whichever are fewer, times
    /// <paramref name="gain"/>.
    /// </summary>
    public static Tensor Orthogonal(Shape shape, RandomGenerator rng, double gain = 1, DType dtype = DType.Float32, Device? device = null)
    {
        if (shape.Rank < 2) throw new ShapeException($"orthogonal initialisation needs a weight of rank >= 2, got {shape}");
        int rows = shape[0], cols = shape.Numel / Math.Max(rows, 1);
        int tall = Math.Max(rows, cols), narrow = Math.Min(rows, cols);
        double[] gaussian;
        using (var draw = Ops.Normal(new Shape(tall, narrow), rng, dtype: DType.Float64, device: device)) gaussian = draw.ToArray<double>();
        var a = Matrix<double>.Build.Dense(tall, narrow, (i, j) => gaussian[i * narrow + j]);
        var qr = a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var q = qr.Q;
        for (int j = 0; j < narrow; j++)
            if (qr.R[j, j] < 0) q.SetColumn(j, q.Column(j).Negate());
        if (rows < cols) q = q.Transpose();
        var values = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) values[i * cols + j] = gain * q[i, j];
        using var host = Tensor.FromArray(values, shape, device);
        return Ops.Cast(host, dtype);
    }

    /// <summary>
    /// Multiplies an initialized weight by <paramref name="factor"/> in place: Orthogonal(gain) is gain x
    /// Orthogonal(1), so rescaling after the draw changes no draw and no seed's other weights.
    /// </summary>
    public static void Rescale(Tensor weight, double factor)
    {
        using var scaled = Ops.MulScalar(weight, factor);
        Ops.CopyInto(weight, scaled);
    }

    /// <summary>A tensor of zeros (biases).</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null) => Tensor.Zeros(shape, dtype, device);
}
