namespace VoxelGan.Tensors;

/// <summary>Which backend a <see cref="Device"/> runs on.</summary>
public enum DeviceKind
{
    /// <summary>The host backend: SIMD C# kernels over all cores (<c>--device cpu</c>; the default without a GPU).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>ILGPU's CPU accelerator: the GPU kernels exactly as written, each simulated thread as scalar C# (<c>--device ilgpu-cpu</c>).</summary>
    IlgpuCpu,
}

/// <summary>Names of <see cref="DeviceKind"/> values as the command line spells them.</summary>
public static class DeviceKindNames
{
    /// <summary><c>cpu</c>, <c>cuda</c> or <c>ilgpu-cpu</c>.</summary>
    public static string Name(this DeviceKind kind) => kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => "cuda",
        _ => "ilgpu-cpu",
    };
}

/// <summary>Raised when a requested device does not exist or cannot be used.</summary>
public sealed class DeviceException(string message) : Exception(message);
