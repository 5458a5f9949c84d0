using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Unscaled discrete Fourier transform along complex axis <paramref name="axis"/> of a complex tensor
    /// [..., 2] (interleaved re, im): <c>X_k = sum_t x_t exp(sign 2 pi i k t / n)</c>, sign -1 forward and
    /// +1 inverse (the 1/n is the caller's). Any length n works.
    /// </summary>
    public static Tensor FourierTransform(Tensor x, int axis, int sign)
    {
        RequireCompute(x, nameof(FourierTransform));
        if (x.Rank < 2 || x.Shape[-1] != 2)
            throw new ShapeException($"FFT input {x.Shape} is not complex: the last axis must hold (re, im) pairs, extent 2");
        if (sign is not (1 or -1)) throw new ArgumentException($"FFT sign must be -1 (forward) or +1 (inverse), got {sign}");
        var complexShape = new Shape(x.Shape.ToArray()[..^1]);
        int a = complexShape.NormalizeAxis(axis);
        int outer = 1, inner = 1;
        for (int k = 0; k < a; k++) outer *= complexShape[k];
        for (int k = a + 1; k < complexShape.Rank; k++) inner *= complexShape[k];
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        if (y.Numel > 0) x.Device.Backend.Fft(x, y, new FftLines(outer, complexShape[a], inner), sign);
        return y;
    }
}
