using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>Converts the element type of a tensor (fp16 storage to and from fp32/fp64 compute).</summary>
public static class CastKernels
{
    /// <summary><c>y[i] = convert(x[i])</c>; float to half rounds to nearest even and overflows to infinity.</summary>
    public static void Convert<TFrom, TTo, TConv>(Index1D thread, int threads, ArrayView<TFrom> x, ArrayView<TTo> y, TConv conv)
        where TFrom : unmanaged where TTo : unmanaged where TConv : struct, IConvert<TFrom, TTo>
    {
        for (int i = thread; i < y.IntLength; i += threads) y[i] = conv.Convert(x[i]);
    }
}
