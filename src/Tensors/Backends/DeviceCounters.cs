using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace VoxelGan.Tensors;

/// <summary>
/// Kernel launches and host synchronizations (waits for the device, as every read of a value to the host
/// does) of an ILGPU device since it was created or last <see cref="Reset"/>: the per-op overhead that
/// decides the speed of small layers on a GPU. The host backend runs every call to completion on the
/// calling thread; it launches nothing and never waits, so its counters stay 0.
/// </summary>
/// <remarks>
/// With <see cref="Timing"/> on, every launch also waits for the device before and after it and adds the wall time
/// in between to its kernel's row of <see cref="TimeByLaunch"/>: where an iteration's device time goes, kernel by
/// kernel and launch shape by launch shape. The waits serialize the device and add their own latency (some
/// microseconds per launch), so timed iterations run slower than untimed ones; the shares are what it is for.
/// </remarks>
public sealed class DeviceCounters
{
    private static readonly ConcurrentDictionary<MethodInfo, string> Names = new();
    private readonly ConcurrentDictionary<string, long> _byKernel = new();
    private readonly ConcurrentDictionary<(string Kernel, string Shape), (long Launches, long Ticks)> _timed = new();
    private readonly Action _synchronize;
    private long _launches, _hostSyncs;

    /// <summary>Counters of a device whose work is waited for by <paramref name="synchronize"/> (only called while <see cref="Timing"/> is on).</summary>
    public DeviceCounters(Action? synchronize = null) => _synchronize = synchronize ?? (() => { });

    /// <summary>Kernel launches.</summary>
    public long Launches => Interlocked.Read(ref _launches);

    /// <summary>Host synchronizations.</summary>
    public long HostSyncs => Interlocked.Read(ref _hostSyncs);

    /// <summary>Whether each launch is timed (see the remarks: it waits for the device around every launch). Off by default.</summary>
    public bool Timing { get; set; }

    /// <summary>
    /// Launches per kernel and operation (<c>ElementwiseKernels.Zip&lt;Add&gt;</c>, ...; element types left out), most
    /// launched first: where a count comes from.
    /// </summary>
    public IReadOnlyList<(string Kernel, long Launches)> LaunchesByKernel() =>
        [.. _byKernel.Select(kv => (kv.Key, kv.Value)).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)];

    /// <summary>
    /// The timed launches (while <see cref="Timing"/> was on) per kernel and launch shape (<c>work 262144</c>, the elements of the
    /// grid-stride kernels; <c>grid 8x2x1 of 64x4</c> for the grouped ones): count and seconds, most time first.
    /// </summary>
    public IReadOnlyList<(string Kernel, string Shape, long Launches, double Seconds)> TimeByLaunch() =>
        [.. _timed.Select(kv => (kv.Key.Kernel, kv.Key.Shape, kv.Value.Launches, kv.Value.Ticks / (double)Stopwatch.Frequency))
            .OrderByDescending(r => r.Item4).ThenBy(r => r.Kernel, StringComparer.Ordinal).ThenBy(r => r.Shape, StringComparer.Ordinal)];

    /// <summary>Sets every counter to 0 and forgets the timed launches.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _launches, 0);
        Interlocked.Exchange(ref _hostSyncs, 0);
        _byKernel.Clear();
        _timed.Clear();
    }

    /// <summary>Counts a launch of <paramref name="kernel"/>; when timing, waits for the device and returns the start time (else 0).</summary>
    internal long BeginLaunch(MethodInfo kernel)
    {
        Interlocked.Increment(ref _launches);
        _byKernel.AddOrUpdate(Name(kernel), 1, static (_, n) => n + 1);
        if (!Timing) return 0;
        _synchronize();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>When timing, waits for the launch begun at <paramref name="start"/> to finish and books its time under <paramref name="shape"/>.</summary>
    internal void EndLaunch(MethodInfo kernel, long start, string shape)
    {
        if (!Timing) return;
        _synchronize();
        long ticks = Stopwatch.GetTimestamp() - start;
        _timed.AddOrUpdate((Name(kernel), shape), (1, ticks), (_, t) => (t.Launches + 1, t.Ticks + ticks));
    }

    internal void CountHostSync() => Interlocked.Increment(ref _hostSyncs);

    // Built once per kernel method: the name costs reflection and string joins, which a hot launch path should not repeat.
    private static string Name(MethodInfo kernel) => Names.GetOrAdd(kernel, static k =>
    {
        var ops = k.IsGenericMethod ? k.GetGenericArguments().Where(t => !t.IsPrimitive && t.Namespace != "System").Select(t => t.Name).ToArray() : [];
        return $"{k.DeclaringType?.Name}.{k.Name}" + (ops.Length > 0 ? $"<{string.Join(", ", ops)}>" : "");
    });
}
