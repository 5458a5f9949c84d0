namespace VoxelGan.Tensors.Backends;

/// <summary>
/// A block of device memory of <see cref="Length"/> bytes, owned by a <see cref="MemoryPool"/>: host
/// memory for the host backend, an ILGPU buffer for the ILGPU backends.
/// </summary>
internal abstract class DeviceBuffer : IDisposable
{
    protected DeviceBuffer(long length) => Length = length;

    /// <summary>Size in bytes (a pool bucket size, at least what was asked for).</summary>
    public long Length { get; }

    /// <summary>Frees the memory back to the device allocator.</summary>
    public abstract void Dispose();
}
