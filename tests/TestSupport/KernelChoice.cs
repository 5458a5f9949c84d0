using VoxelGan.Tensors;

namespace VoxelGan.TestSupport;

/// <summary>Runs an op on an ILGPU device with its fast kernels or with its readable references, for comparing the two.</summary>
public static class KernelChoice
{
    /// <summary>A CUDA device of the caller's own (switching kernels on a shared one would race with other tests), or null where no GPU is visible.</summary>
    public static Device? OwnCudaDevice()
    {
        try { return Device.Create(DeviceKind.Cuda); }
        catch (DeviceException) { return null; }
    }

    /// <summary>
    /// The result of <paramref name="op"/> on <paramref name="device"/> with <see cref="Device.ReferenceKernels"/> set to
    /// <paramref name="reference"/> (reset to false afterwards), as doubles; tensors made meanwhile are disposed.
    /// </summary>
    public static double[] Run(Device device, bool reference, Func<Tensor> op)
    {
        device.ReferenceKernels = reference;
        try
        {
            using var scope = TensorScope.Begin();
            return op().ToDoubleArray();
        }
        finally
        {
            device.ReferenceKernels = false;
        }
    }
}
