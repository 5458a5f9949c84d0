using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>Sets every element to one value.</summary>
public static class FillKernels
{
    /// <summary><c>y[i] = value</c> for every i.</summary>
    public static void Constant<T>(Index1D thread, int threads, ArrayView<T> y, T value) where T : unmanaged
    {
        for (int i = thread; i < y.IntLength; i += threads) y[i] = value;
    }

    internal static void Fill(Tensor t, double value)
    {
        switch (t.DType)
        {
            case DType.Float32: Run(t.Device, t.View<float>(), (float)value); break;
            case DType.Float64: Run(t.Device, t.View<double>(), value); break;
            case DType.Float16: Run(t.Device, t.View<ILGPU.Half>(), HalfRounding.FromSingle((float)value)); break;
        }
    }

    private static void Run<T>(Device device, ArrayView<T> y, T value) where T : unmanaged
    {
        if (y.Length == 0) return;
        var kernel = device.Kernel(Constant<T>, static (a, k) => a.LoadAutoGroupedStreamKernel(k));
        int threads = device.LaunchThreads(y.Length);
        kernel(threads, threads, y, value);
    }
}
