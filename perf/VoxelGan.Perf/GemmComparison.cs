using System.Diagnostics;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// <c>compare-gemm</c>: <c>Ops.MatMul</c> of n x n matrices (float32 and float64) against the FMA peak
/// measured in the same run and against <c>torch.mm</c> with 2 threads (<c>perf/peers/gemm_bench.py</c>;
/// Debian's torch uses a reference BLAS, so the peak is the real yardstick). Best of 30 calls (a call takes about a millisecond, and other tenants of a shared machine disturb single calls).
/// </summary>
internal static class GemmComparison
{
    public static void Run(string repoRoot, int n)
    {
        var d = BenchDevice.Instance;
        int cores = Environment.ProcessorCount;
        double peak1 = FmaPeak.Measure(1), peakAll = FmaPeak.Measure(cores);
        var ours = new Dictionary<DType, double>();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new RandomGenerator(7);
            using var a = Ops.Normal(new Shape(n, n), rng, dtype: dtype, device: d).Detach();
            using var b = Ops.Normal(new Shape(n, n), rng, dtype: dtype, device: d).Detach();
            ours[dtype] = Best(() => { using var c = Ops.MatMul(a, b); BenchDevice.Sync(); });
        }
        var peer = PeerProcess.Run(repoRoot, "gemm_bench.py", n.ToString(), "2");
        double flops = 2.0 * n * n * n;
        Console.WriteLine($"device: {d}");
        Console.WriteLine($"FMA peak (float32, register-only loop): {peak1:F0} GFLOP/s on 1 thread, {peakAll:F0} GFLOP/s on {cores}; float64 peak is half");
        Console.WriteLine($"{"case",-34} {"VoxelGan s",12} {"torch.mm s",12} {"ratio",8} {"GFLOP/s",9} {"of peak",8}");
        foreach (var (dtype, seconds) in ours)
        {
            double gflops = flops / seconds / 1e9, peak = dtype == DType.Float32 ? peakAll : peakAll / 2;
            double? theirs = peer is not null && peer.TryGetValue(dtype.Name(), out var v) ? v.GetDouble() : null;
            Console.WriteLine($"{$"GEMM {n}^3 {dtype.Name()}",-34} {seconds,12:F4} {(theirs is double t ? t.ToString("F4") : "n/a"),12} {(theirs is double u ? (seconds / u).ToString("F2") + "x" : ""),8} {gflops,9:F1} {gflops / peak,8:P0}");
        }
        if (peer is not null) Console.WriteLine($"peer: torch {peer["torch"]}, {peer["threads"]} threads");
    }

    private static double Best(Action call)
    {
        call();
        double best = double.MaxValue;
        for (int i = 0; i < 30; i++)
        {
            var clock = Stopwatch.StartNew();
            call();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
