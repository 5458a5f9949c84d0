using System.Runtime.InteropServices;
using VoxelGan.Tensors.Backends;

namespace VoxelGan.Tensors.Host;

/// <summary>Native host memory aligned to 64 bytes (one cache line, one Vector512).</summary>
internal sealed unsafe class HostBuffer : DeviceBuffer
{
    private void* _pointer;

    public HostBuffer(long bytes) : base(bytes) => _pointer = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);

    public void* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(HostBuffer));

    public override void Dispose()
    {
        if (_pointer == null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
    }
}

/// <summary>Typed pointers to tensors of the host backend.</summary>
internal static unsafe class HostPointers
{
    /// <summary>The first element of the tensor as <typeparamref name="T"/> (the caller matched T to the dtype).</summary>
    public static T* Data<T>(this Tensor t) where T : unmanaged => (T*)((byte*)((HostBuffer)t.Buffer).Pointer + t.ByteOffset);
}
