using VoxelGan.Tensors.Backends;

namespace VoxelGan.Tensors;

/// <summary>
/// Caching allocator of device byte buffers, so that a training loop that allocates the same sizes
/// every step reuses buffers instead of calling the device allocator. Sizes are rounded up to a
/// bucket (256 B steps up to 64 KiB, then 8 steps per power of two, so at most 12.5 % is wasted) and
/// a returned buffer waits in its bucket's free list. Each backend orders its work (one stream on a
/// GPU, synchronous calls on the host), so a buffer handed back on the host may be reused at once:
/// later work is ordered after earlier work.
/// </summary>
public sealed class MemoryPool : IDisposable
{
    private const long SmallStep = 256;
    private const long SmallLimit = 64 * 1024;

    private readonly Func<long, DeviceBuffer> _allocate;
    private readonly Dictionary<long, Stack<DeviceBuffer>> _free = [];
    private readonly Lock _lock = new();

    internal MemoryPool(Func<long, DeviceBuffer> allocate) => _allocate = allocate;

    /// <summary>Bytes held by live buffers (bucket sizes).</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Largest <see cref="BytesInUse"/> seen since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakBytesInUse { get; private set; }

    /// <summary>Bytes held in free lists, ready for reuse; <see cref="Trim"/> releases them.</summary>
    public long BytesCached { get; private set; }

    /// <summary>Number of buffers handed out and not yet returned.</summary>
    public int LiveBuffers { get; private set; }

    /// <summary>How many times the device allocator itself was called.</summary>
    public long DeviceAllocations { get; private set; }

    /// <summary>The bucket size a request of <paramref name="bytes"/> is served from.</summary>
    public static long BucketSize(long bytes)
    {
        if (bytes <= SmallStep) return SmallStep;
        if (bytes <= SmallLimit) return (bytes + SmallStep - 1) / SmallStep * SmallStep;
        long pow = 1L << (63 - (int)long.LeadingZeroCount(bytes - 1)); // largest power of two below bytes
        long step = pow / 8;
        return (bytes + step - 1) / step * step;
    }

    internal DeviceBuffer Rent(long bytes)
    {
        long size = BucketSize(bytes);
        lock (_lock)
        {
            DeviceBuffer buffer;
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                BytesCached -= size;
            }
            else
            {
                buffer = _allocate(size);
                DeviceAllocations++;
            }
            BytesInUse += size;
            PeakBytesInUse = Math.Max(PeakBytesInUse, BytesInUse);
            LiveBuffers++;
            return buffer;
        }
    }

    internal void Return(DeviceBuffer buffer)
    {
        long size = buffer.Length;
        lock (_lock)
        {
            if (!_free.TryGetValue(size, out var stack)) _free[size] = stack = new();
            stack.Push(buffer);
            BytesInUse -= size;
            BytesCached += size;
            LiveBuffers--;
        }
    }

    /// <summary>Frees every cached buffer back to the device (PyTorch's <c>empty_cache</c>).</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
                while (stack.Count > 0) stack.Pop().Dispose();
            _free.Clear();
            BytesCached = 0;
        }
    }

    /// <summary>Sets <see cref="PeakBytesInUse"/> to the current use, to measure one phase.</summary>
    public void ResetPeak()
    {
        lock (_lock) PeakBytesInUse = BytesInUse;
    }

    /// <inheritdoc />
    public void Dispose() => Trim();
}
