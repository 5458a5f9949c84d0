using VoxelGan.Tensors;

namespace VoxelGan.TestSupport;

/// <summary>
/// The device tests run on: <see cref="Device.Default"/>, so <c>VOXELGAN_DEVICE=cuda dotnet test</c>
/// runs the same suite on a GPU, and CI (no GPU) runs it on the CPU accelerator.
/// </summary>
public static class TestDevice
{
    public static Device Instance => Device.Default;
}
