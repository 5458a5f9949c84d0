namespace VoxelGan.Tensors;

/// <summary>
/// Kernel launches and host synchronizations (waits for the device, as every read of a value to the host
/// does) of an ILGPU device since it was created or last <see cref="Reset"/>: the per-op overhead that
/// decides the speed of small layers on a GPU. The host backend runs every call to completion on the
/// calling thread; it launches nothing and never waits, so its counters stay 0.
/// </summary>
public sealed class DeviceCounters
{
    private long _launches, _hostSyncs;

    /// <summary>Kernel launches.</summary>
    public long Launches => Interlocked.Read(ref _launches);

    /// <summary>Host synchronizations.</summary>
    public long HostSyncs => Interlocked.Read(ref _hostSyncs);

    /// <summary>Sets both counters to 0.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _launches, 0);
        Interlocked.Exchange(ref _hostSyncs, 0);
    }

    internal void CountLaunch() => Interlocked.Increment(ref _launches);

    internal void CountHostSync() => Interlocked.Increment(ref _hostSyncs);
}
