using VoxelGan.Tensors.Backends;

namespace VoxelGan.Tensors;

/// <summary>
/// A pooled device buffer shared by a tensor and its reshaped views; returned to the pool when the
/// last tensor using it is disposed.
/// </summary>
internal sealed class Storage
{
    private DeviceBuffer? _buffer;
    private int _references = 1;

    public Storage(Device device, long bytes)
    {
        Device = device;
        Bytes = bytes;
        _buffer = device.Pool.Rent(bytes);
    }

    public Device Device { get; }

    public long Bytes { get; }

    /// <summary>The pooled buffer; its first <see cref="Bytes"/> bytes are the tensor's.</summary>
    public DeviceBuffer Buffer =>
        _buffer ?? throw new ObjectDisposedException(nameof(Tensor), "the tensor's device memory was already freed");

    /// <summary>Whether more than one tensor uses this storage.</summary>
    public bool IsShared => Volatile.Read(ref _references) > 1;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) Device.Pool.Return(buffer);
    }
}
