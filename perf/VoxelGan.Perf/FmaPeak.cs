using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VoxelGan.Perf;

/// <summary>
/// The machine's measured FMA peak: a register-only loop of independent Vector512 fused multiply-adds
/// (12 accumulators, enough to cover the FMA latency on two ports), on one thread and on every core.
/// A GEMM's GFLOP/s is reported as a fraction of this, measured in the same run.
/// </summary>
internal static class FmaPeak
{
    /// <summary>GFLOP/s of float32 FMAs on <paramref name="threads"/> threads (float64 is half: half the lanes).</summary>
    public static double Measure(int threads)
    {
        const long iterations = 20_000_000;
        Kernel(1000); // JIT warm-up
        double best = 0;
        for (int r = 0; r < 3; r++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Kernel(iterations));
            double flops = 2.0 * 12 * Vector512<float>.Count * iterations * threads;
            best = Math.Max(best, flops / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Kernel(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
