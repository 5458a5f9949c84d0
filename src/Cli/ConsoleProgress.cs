using System.Diagnostics;

namespace VoxelGan.Cli;

/// <summary>
/// A progress bar on stderr with rate and ETA. On a terminal it redraws one line; when stderr is
/// redirected (headless jobs, CI logs) it prints a plain line at most every 10 seconds and at the end,
/// so logs stay readable.
/// </summary>
internal sealed class ConsoleProgress : IDisposable
{
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private TimeSpan? _lastPrint;
    private long _done;

    public ConsoleProgress(string label, long total, long start = 0)
    {
        _label = label;
        _total = Math.Max(1, total);
        _done = start;
        StartedAt = start;
    }

    private long StartedAt { get; }

    /// <summary>Sets the count of finished units and an optional status text.</summary>
    public void Report(long done, string status = "")
    {
        _done = done;
        var now = _clock.Elapsed;
        bool last = done >= _total;
        if (!last && _lastPrint is { } previous && now - previous < (_interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(10))) return;
        _lastPrint = now;
        double fraction = (double)done / _total;
        long fresh = done - StartedAt;
        var eta = fresh > 0 ? TimeSpan.FromSeconds(now.TotalSeconds / fresh * (_total - done)) : (TimeSpan?)null;
        const int width = 24;
        int filled = (int)(fraction * width);
        string bar = new string('#', filled) + new string('.', width - filled);
        string line = $"{_label} [{bar}] {done}/{_total} {Format(now)} elapsed, ETA {(eta is { } e ? Format(e) : "?")} {status}";
        if (_interactive) Console.Error.Write("\r" + line.PadRight(Math.Max(line.Length, 100))[..Math.Min(Math.Max(line.Length, 100), Math.Max(20, SafeWidth() - 1))]);
        else Console.Error.WriteLine(line);
    }

    private static int SafeWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 120; }
        catch (IOException) { return 120; }
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{t.Minutes:00}:{t.Seconds:00}";

    public void Dispose()
    {
        if (_interactive) Console.Error.WriteLine();
    }
}
