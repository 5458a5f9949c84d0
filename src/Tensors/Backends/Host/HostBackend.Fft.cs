using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal sealed unsafe partial class HostBackend
{
    /// <summary>Lines transformed in SIMD groups by <see cref="HostFft.Transform{T}"/> (Stockham radix 8/4/2, 3, 5, direct DFT for other primes).</summary>
    public void Fft(Tensor x, Tensor y, FftLines lines, int sign)
    {
        if (x.DType == DType.Float32) HostFft.Transform(x.Data<float>(), y.Data<float>(), lines.Outer, lines.N, lines.Inner, sign);
        else HostFft.Transform(x.Data<double>(), y.Data<double>(), lines.Outer, lines.N, lines.Inner, sign);
    }
}
