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

    internal static void Run<TFrom, TTo, TConv>(Tensor x, Tensor y)
        where TFrom : unmanaged where TTo : unmanaged where TConv : struct, IConvert<TFrom, TTo>
    {
        if (y.Numel == 0) return;
        var kernel = x.Device.Kernel(Convert<TFrom, TTo, TConv>, static (a, k) => a.LoadAutoGroupedStreamKernel(k));
        int threads = x.Device.LaunchThreads(y.Numel);
        kernel(threads, threads, x.View<TFrom>(), y.View<TTo>(), default);
    }
}
