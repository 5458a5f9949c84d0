namespace VoxelGan.Tensors.Host;

/// <summary>
/// Splits a range of independent items into chunks over all cores. Work below one grain runs on the
/// calling thread: waking the thread pool costs a few microseconds, more than a small op.
/// </summary>
internal static class HostParallel
{
    /// <summary>Runs <paramref name="body"/>(start, end) over chunks covering [0, count), each at least <paramref name="grain"/> items (except the last).</summary>
    public static void For(long count, long grain, Action<long, long> body)
    {
        if (count <= 0) return;
        int workers = Environment.ProcessorCount;
        long chunks = Math.Min(Math.Max(1, count / Math.Max(grain, 1)), 4L * workers);
        if (chunks <= 1 || workers == 1) { body(0, count); return; }
        long size = (count + chunks - 1) / chunks;
        Parallel.For(0, (int)((count + size - 1) / size), c => body(c * size, Math.Min(count, (c + 1) * size)));
    }
}
