namespace VoxelGan.Tensors;

/// <summary>Which ILGPU accelerator a <see cref="Device"/> wraps.</summary>
public enum DeviceKind
{
    /// <summary>ILGPU's CPU accelerator (simulates GPU threads; used by all tests and CI).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
}

/// <summary>Raised when a requested device does not exist or cannot be used.</summary>
public sealed class DeviceException(string message) : Exception(message);
