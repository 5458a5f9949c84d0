using System.Collections.Concurrent;
using System.Reflection;

namespace VoxelGan.Tensors;

/// <summary>
/// Kernel launches and host synchronizations (waits for the device, as every read of a value to the host
/// does) of an ILGPU device since it was created or last <see cref="Reset"/>: the per-op overhead that
/// decides the speed of small layers on a GPU. The host backend runs every call to completion on the
/// calling thread; it launches nothing and never waits, so its counters stay 0.
/// </summary>
public sealed class DeviceCounters
{
    private readonly ConcurrentDictionary<string, long> _byKernel = new();
    private long _launches, _hostSyncs;

    /// <summary>Kernel launches.</summary>
    public long Launches => Interlocked.Read(ref _launches);

    /// <summary>Host synchronizations.</summary>
    public long HostSyncs => Interlocked.Read(ref _hostSyncs);

    /// <summary>
    /// Launches per kernel and operation (<c>ElementwiseKernels.Zip&lt;Add&gt;</c>, ...; element types left out), most
    /// launched first: where a count comes from.
    /// </summary>
    public IReadOnlyList<(string Kernel, long Launches)> LaunchesByKernel() =>
        [.. _byKernel.Select(kv => (kv.Key, kv.Value)).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)];

    /// <summary>Sets every counter to 0.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _launches, 0);
        Interlocked.Exchange(ref _hostSyncs, 0);
        _byKernel.Clear();
    }

    internal void CountLaunch(MethodInfo kernel)
    {
        Interlocked.Increment(ref _launches);
        var ops = kernel.IsGenericMethod ? kernel.GetGenericArguments().Where(t => !t.IsPrimitive && t.Namespace != "System").Select(t => t.Name).ToArray() : [];
        string name = $"{kernel.DeclaringType?.Name}.{kernel.Name}" + (ops.Length > 0 ? $"<{string.Join(", ", ops)}>" : "");
        _byKernel.AddOrUpdate(name, 1, static (_, n) => n + 1);
    }

    internal void CountHostSync() => Interlocked.Increment(ref _hostSyncs);
}
