using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors;

/// <summary>
/// A pooled device buffer shared by a tensor and its reshaped views; returned to the pool when the
/// last tensor using it is disposed.
/// </summary>
internal sealed class Storage
{
    private MemoryBuffer1D<byte, Stride1D.Dense>? _buffer;
    private int _references = 1;

    public Storage(Device device, long bytes)
    {
        Device = device;
        Bytes = bytes;
        _buffer = device.Pool.Rent(bytes);
    }

    public Device Device { get; }

    public long Bytes { get; }

    public ArrayView<byte> Raw =>
        (_buffer ?? throw new ObjectDisposedException(nameof(Tensor), "the tensor's device memory was already freed"))
        .View.SubView(0, Bytes).AsContiguous();

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) Device.Pool.Return(buffer);
    }
}
