using ILGPU;
using ILGPU.Runtime;
using VoxelGan.Tensors.Backends;

namespace VoxelGan.Tensors.Ilgpu;

/// <summary>A device buffer of an ILGPU accelerator (GPU memory, or host memory for ILGPU's CPU accelerator).</summary>
internal sealed class IlgpuBuffer(MemoryBuffer1D<byte, Stride1D.Dense> buffer) : DeviceBuffer(buffer.Length)
{
    public MemoryBuffer1D<byte, Stride1D.Dense> Memory { get; } = buffer;

    public override void Dispose() => Memory.Dispose();
}

/// <summary>Typed ILGPU views of tensors, for the ILGPU backend's launches.</summary>
internal static class IlgpuViews
{
    /// <summary>The tensor's elements as a view of <typeparamref name="T"/> (the caller matched T to the dtype).</summary>
    public static ArrayView<T> View<T>(this Tensor t) where T : unmanaged =>
        ((IlgpuBuffer)t.Buffer).Memory.View.SubView(t.ByteOffset, t.Bytes).AsContiguous().Cast<T>();

    /// <summary>The tensor's bytes.</summary>
    public static ArrayView<byte> Bytes(this Tensor t) =>
        ((IlgpuBuffer)t.Buffer).Memory.View.SubView(t.ByteOffset, t.Bytes).AsContiguous();
}
