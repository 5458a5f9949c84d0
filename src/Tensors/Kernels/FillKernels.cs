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
}
