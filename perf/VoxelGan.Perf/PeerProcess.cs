using System.Diagnostics;
using System.Text.Json;

namespace VoxelGan.Perf;

/// <summary>Runs a Python peer script (<c>perf/peers/*.py</c>) that prints one JSON object.</summary>
internal static class PeerProcess
{
    /// <summary>The parsed JSON, or null (with the reason on stderr) when the peer cannot run.</summary>
    public static Dictionary<string, JsonElement>? Run(string repoRoot, string script, params string[] args)
    {
        // VOXELGAN_PYTHON picks the interpreter (GPU images keep PyTorch elsewhere); peers that can use a
        // GPU do so when VoxelGan runs on CUDA, so a ratio always compares like with like.
        var python = Environment.GetEnvironmentVariable("VOXELGAN_PYTHON") is { Length: > 0 } p0 ? p0 : "/usr/bin/python3";
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["VOXELGAN_PEER_DEVICE"] = BenchDevice.Instance.Kind == VoxelGan.Tensors.DeviceKind.Cuda ? "cuda" : "cpu";
        psi.ArgumentList.Add(Path.Combine(repoRoot, "perf", "peers", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode == 0) return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(output);
            Console.Error.WriteLine($"peer {script} failed: {stderr.Result.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"peer unavailable: {python} not found (apt-get install python3-numpy python3-torch python3-pyfftw)");
        }
        return null;
    }

    /// <summary>A timing row: ours, the peer's and ours/theirs.</summary>
    public static void Row(string name, double ours, double? theirs, int width = 42) =>
        Console.WriteLine($"{name.PadRight(width)} {ours,12:F4} {(theirs is double t ? t.ToString("F4") : "n/a"),12} {(theirs is double u ? (ours / u).ToString("F1") + "x" : ""),8}");

    /// <summary>Median wall time of <paramref name="repeats"/> calls after one warm-up.</summary>
    public static double Median(Action call, int repeats = 3)
    {
        call();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            call();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
