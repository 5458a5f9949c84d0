using VoxelGan.Tensors;

namespace VoxelGan.TestSupport;

/// <summary>
/// The devices tests run on. <see cref="Instance"/> is <see cref="Device.Default"/>: the host backend
/// on CI, and <c>VOXELGAN_DEVICE=cuda dotnet test</c> (or <c>ilgpu-cpu</c>) runs the same suite on
/// another backend. <see cref="Host"/> and <see cref="IlgpuCpu"/> are always those two backends, for
/// differential tests and for the subset that runs on both.
/// </summary>
public static class TestDevice
{
    private static readonly Lazy<Device> HostDevice = new(() => Device.Create(DeviceKind.Cpu));
    private static readonly Lazy<Device> IlgpuCpuDevice = new(() => Device.Create(DeviceKind.IlgpuCpu));
    private static readonly AsyncLocal<Device?> Override = new();

    /// <summary>The device of the current test: <see cref="Device.Default"/> unless <see cref="Use"/> chose another.</summary>
    public static Device Instance => Override.Value ?? Device.Default;

    /// <summary>The SIMD host backend.</summary>
    public static Device Host => HostDevice.Value;

    /// <summary>ILGPU's CPU accelerator running the reference kernels.</summary>
    public static Device IlgpuCpu => IlgpuCpuDevice.Value;

    /// <summary>A device by its command-line name (<c>cpu</c>, <c>ilgpu-cpu</c>; <c>default</c> is <see cref="Device.Default"/>).</summary>
    public static Device Named(string name) => name switch
    {
        "cpu" => Host,
        "ilgpu-cpu" => IlgpuCpu,
        _ => Device.Default,
    };

    /// <summary>Makes <see cref="Instance"/> return <paramref name="device"/> until the result is disposed.</summary>
    public static IDisposable Use(Device device)
    {
        var previous = Override.Value;
        Override.Value = device;
        return new Restore(previous);
    }

    private sealed class Restore(Device? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }
}
