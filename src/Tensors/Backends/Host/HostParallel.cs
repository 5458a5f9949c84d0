namespace VoxelGan.Tensors.Host;

/// <summary>
/// Work-item scheduling for the host kernels: dynamic <see cref="Parallel.For(int,int,Action{int})"/>
/// over coarse items (never one task per element), each worker owning one zeroed, 64-byte aligned
/// scratch block allocated once per call and freed deterministically. Work below a grain runs on the
/// calling thread: waking the thread pool costs a few microseconds, more than a small op.
/// </summary>
internal static unsafe class HostParallel
{
    /// <summary>Upper bound on workers; benchmarks lower it to measure single-thread speed.</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Below this much arithmetic, thread hand-off costs more than it saves.</summary>
    public const double SerialFlops = 2e6;

    public static bool Worth(double flops, int items) => MaxThreads > 1 && items > 1 && flops >= SerialFlops;

    /// <summary>
    /// Runs body(item, scratch) for item in [0, count). Each worker gets its own scratch of
    /// <paramref name="scratchBytes"/> zeroed bytes; <paramref name="finish"/> sees it before it is freed.
    /// </summary>
    public static void For(int count, bool parallel, long scratchBytes, Action<int, nint> body, Action<nint>? finish = null)
    {
        if (count <= 0) return;
        if (!parallel || count == 1)
        {
            nint s = HostScratch.Rent(scratchBytes);
            try
            {
                for (int i = 0; i < count; i++) body(i, s);
                finish?.Invoke(s);
            }
            finally { HostScratch.Return(s); }
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxThreads };
        Parallel.For(0, count, options,
            () => HostScratch.Rent(scratchBytes),
            (i, _, s) => { body(i, s); return s; },
            s => { try { finish?.Invoke(s); } finally { HostScratch.Return(s); } });
    }

    public static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    public static int CeilDiv(int x, int m) => (x + m - 1) / m;

    /// <summary>Runs <paramref name="body"/>(start, end) over chunks covering [0, count), each at least <paramref name="grain"/> items (except the last).</summary>
    public static void For(long count, long grain, Action<long, long> body)
    {
        if (count <= 0) return;
        int workers = MaxThreads;
        long chunks = Math.Min(Math.Max(1, count / Math.Max(grain, 1)), 4L * workers);
        if (chunks <= 1 || workers == 1) { body(0, count); return; }
        long size = (count + chunks - 1) / chunks;
        Parallel.For(0, (int)((count + size - 1) / size), new ParallelOptions { MaxDegreeOfParallelism = workers }, c => body(c * size, Math.Min(count, (c + 1) * size)));
    }

    /// <summary>
    /// Runs <paramref name="body"/>(row, start, end) over <paramref name="rows"/> rows of
    /// <paramref name="length"/> elements, a long row cut into segments of at most <paramref name="grain"/>
    /// elements, so that one long strided row (an interleave, a slice of the last axis) still uses every core.
    /// </summary>
    public static void ForRows(long rows, int length, long grain, Action<long, int, int> body)
    {
        int segment = (int)Math.Clamp(grain, 1, Math.Max(1, length));
        int perRow = (length + segment - 1) / segment;
        For(rows * perRow, Math.Max(1, grain / segment), (w0, w1) =>
        {
            for (long w = w0; w < w1; w++)
            {
                int start = (int)(w % perRow) * segment;
                body(w / perRow, start, Math.Min(length, start + segment));
            }
        });
    }
}
