using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>The device every benchmark uses (Device.Default: VOXELGAN_DEVICE or auto).</summary>
internal static class BenchDevice
{
    public static Device Instance => Device.Default;

    /// <summary>Device work is asynchronous on CUDA; every timed call ends by waiting for it.</summary>
    public static void Sync() => Instance.Synchronize();
}
