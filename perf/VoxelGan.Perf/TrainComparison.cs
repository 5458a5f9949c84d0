using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// <c>compare-train</c>: one WGAN-GP training iteration (fp32, mixed, and mixed without recomputation against the
/// peer's mixed) at the paper's 32^3
/// configuration (batch 8, nGf 32, nDf 16) in VoxelGan and in the same model written in PyTorch
/// (<c>perf/peers/train_bench.py</c>, 2 threads on a CPU, the GPU when VoxelGan runs on CUDA), same run.
/// Median of <c>repeats</c> iterations after one warm-up.
/// </summary>
internal static class TrainComparison
{
    public static void Run(string repoRoot, int size, int ngf, int ndf, int batch, int repeats)
    {
        var d = BenchDevice.Instance;
        var ours = new Dictionary<Precision, double>();
        long gParams = 0, cParams = 0;
        foreach (var precision in new[] { Precision.Fp32, Precision.Mixed, Precision.MixedNoRecompute })
        {
            using var trainer = BenchTrainer(d, size, ngf, ndf, batch, precision);
            (gParams, cParams) = (trainer.Models.Generator.ParameterCount, trainer.Models.Critic.ParameterCount);
            d.Pool.ResetPeak();
            ours[precision] = PeerProcess.Median(() => { trainer.TrainStep(); BenchDevice.Sync(); }, repeats);
            Console.WriteLine($"VoxelGan {precision.Name()}: {ours[precision]:F3} s per iteration, peak pool {d.Pool.PeakBytesInUse / 1e6:F1} MB");
        }
        var peer = PeerProcess.Run(repoRoot, "train_bench.py", size.ToString(), ngf.ToString(), ndf.ToString(), batch.ToString(), "2", repeats.ToString());
        Console.WriteLine($"device: {d}; {size}^3, nGf {ngf}, nDf {ndf}, batch {batch}; generator {gParams:N0}, critic {cParams:N0} parameters");
        Console.WriteLine($"{"case",-40} {"VoxelGan s",12} {"PyTorch s",12} {"ratio",8}");
        PeerProcess.Row("training iteration fp32", ours[Precision.Fp32], peer?["fp32"].GetDouble(), 40);
        PeerProcess.Row("training iteration mixed", ours[Precision.Mixed], peer?["mixed"].GetDouble(), 40);
        PeerProcess.Row("training iteration mixed-no-recompute", ours[Precision.MixedNoRecompute], peer?["mixed"].GetDouble(), 40);
        // On CUDA the peer also times fp32 with cuDNN's TF32 off (its default runs float32 convolutions on TF32 tensor cores).
        if (peer is not null && peer.TryGetValue("fp32_no_tf32", out var strict) && strict.ValueKind == System.Text.Json.JsonValueKind.Number)
            PeerProcess.Row("training iteration fp32, peer TF32 off", ours[Precision.Fp32], strict.GetDouble(), 40);
        if (peer is not null)
        {
            Console.WriteLine($"peer: torch {peer["torch"]} on {peer["device"]}, {peer["threads"]} threads; its model: generator {peer["generator_parameters"]}, critic {peer["critic_parameters"]} parameters");
            if (peer.TryGetValue("fp32_peak_mb", out var fp32Peak) && fp32Peak.ValueKind == System.Text.Json.JsonValueKind.Number)
                Console.WriteLine($"peer peak allocated: fp32 {fp32Peak.GetDouble():F1} MB, mixed {peer["mixed_peak_mb"].GetDouble():F1} MB (torch.cuda.max_memory_allocated)");
        }
        PrintLaunches(d, size, ngf, ndf, batch);
    }

    /// <summary>The paper's model at the given size and filters with the authors' recipe, trained on <paramref name="batch"/> sphere packings.</summary>
    public static Trainer BenchTrainer(Device d, int size, int ngf, int ndf, int batch, Precision precision) =>
        new(new GanConfig { Size = size, Ngf = ngf, Ndf = ndf }, new TrainOptions { BatchSize = batch, Precision = precision }, Dataset.Spheres(batch, size, 1).ToTensor(d), d);

    /// <summary>
    /// Kernel launches and host synchronizations of one iteration (after a warm-up) on an ILGPU device: the bench
    /// device when it is one, else ILGPU's CPU accelerator at 2 filters and batch 1 (the counts follow the layer
    /// structure; a second count at 4 filters and batch 2 shows whether they depend on the sizes), and with
    /// <paramref name="tiled"/> one with 16-thread groups at 4 filters, where the tiled kernels and their split-K run as on
    /// a GPU (the default CPU accelerator's groups are too small to tile, so it runs the gathers; this count takes about
    /// 18 minutes on 2 cores).
    /// </summary>
    public static void PrintLaunches(Device bench, int size, int ngf, int ndf, int batch, bool tiled = false)
    {
        bool own = bench.Kind == DeviceKind.Cpu;
        using var owned = own ? Device.Create(DeviceKind.IlgpuCpu) : null;
        using var grouped = own && tiled ? Device.CreateIlgpuCpu(16) : null;
        var runs = !own ? [(bench, ngf, ndf, batch)]
            : grouped is null ? new[] { (owned!, 2, 2, 1), (owned!, 4, 4, 2) } : [(owned!, 2, 2, 1), (owned!, 4, 4, 2), (grouped, 4, 4, 2)];
        foreach (var precision in new[] { Precision.Fp32, Precision.Mixed, Precision.MixedNoRecompute })
            foreach (var (d, g, c, b) in runs)
            {
                using var trainer = BenchTrainer(d, size, g, c, b, precision);
                trainer.TrainStep();
                d.Counters.Reset();
                trainer.TrainStep();
                string groups = d.ReferenceKernels || d == owned ? "" : d == grouped ? " (16-thread groups: tiled kernels)" : "";
                Console.WriteLine($"launches per iteration, {precision.Name()}, {size}^3 nGf {g} nDf {c} batch {b} on {d.Kind.Name()}{groups}: " +
                                  $"{d.Counters.Launches} kernel launches, {d.Counters.HostSyncs} host synchronizations");
                Console.WriteLine("  by kernel: " + string.Join(", ", d.Counters.LaunchesByKernel().Select(k => $"{k.Kernel} {k.Launches}")));
            }
    }
}
