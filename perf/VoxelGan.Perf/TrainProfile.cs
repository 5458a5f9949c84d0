using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// <c>profile-train</c>: where one training iteration's device time goes on an ILGPU device, kernel by kernel and
/// launch shape by launch shape (<see cref="DeviceCounters.Timing"/>: a wait for the device around every launch).
/// Prints the untimed iteration beside the timed one, so the cost of the waits themselves is visible.
/// </summary>
internal static class TrainProfile
{
    public static void Run(int size, int ngf, int ndf, int batch, int repeats, int rows)
    {
        var d = BenchDevice.Instance;
        if (d.Kind == DeviceKind.Cpu)
        {
            Console.WriteLine("profile-train times kernel launches of an ILGPU device; the host backend launches none (VOXELGAN_DEVICE=cuda or ilgpu-cpu)");
            return;
        }
        foreach (var precision in new[] { Precision.Fp32, Precision.Mixed })
        {
            using var trainer = TrainComparison.BenchTrainer(d, size, ngf, ndf, batch, precision);
            double untimed = PeerProcess.Median(() => { trainer.TrainStep(); BenchDevice.Sync(); }, repeats);
            d.Counters.Reset();
            d.Counters.Timing = true;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                for (int i = 0; i < repeats; i++) trainer.TrainStep();
                BenchDevice.Sync();
            }
            finally { d.Counters.Timing = false; }
            double timedWall = clock.Elapsed.TotalSeconds / repeats;
            var launches = d.Counters.TimeByLaunch();
            double kernels = launches.Sum(l => l.Seconds) / repeats;
            Console.WriteLine($"==== {precision.Name()}, {size}^3, nGf {ngf}, nDf {ndf}, batch {batch} on {d}");
            Console.WriteLine($"untimed iteration {untimed * 1e3:F2} ms (median of {repeats}); timed iteration {timedWall * 1e3:F2} ms, of which inside launches {kernels * 1e3:F2} ms over {d.Counters.Launches / (double)repeats:F0} launches");
            Console.WriteLine($"{"kernel",-62} {"launches",9} {"ms/iter",9} {"share",7} {"us/launch",10}");
            foreach (var g in launches.GroupBy(l => l.Kernel).Select(g => (Kernel: g.Key, Launches: g.Sum(l => l.Launches), Seconds: g.Sum(l => l.Seconds))).OrderByDescending(g => g.Seconds).Take(rows))
                Print(g.Kernel, g.Launches, g.Seconds);
            Console.WriteLine($"{"kernel and launch shape (the costliest)",-62} {"launches",9} {"ms/iter",9} {"share",7} {"us/launch",10}");
            foreach (var l in launches.Take(rows)) Print($"{l.Kernel} {l.Shape}", l.Launches, l.Seconds);

            void Print(string what, long count, double seconds) =>
                Console.WriteLine($"{what,-62} {count / (double)repeats,9:F1} {seconds / repeats * 1e3,9:F3} {seconds / repeats / kernels,7:P1} {seconds / count * 1e6,10:F1}");
        }
    }
}
