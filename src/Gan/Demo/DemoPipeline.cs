using System.Diagnostics;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Gan.Generation;
using VoxelGan.Gan.Training;
using VoxelGan.Tensors;

namespace VoxelGan.Gan.Demo;

/// <summary>The demo's outcome.</summary>
/// <param name="Completed">False when training was interrupted or failed (then nothing after it ran).</param>
/// <param name="Evaluation">Eq. 34 errors and descriptors (null when not completed).</param>
/// <param name="Diversity">How varied the generated volumes are (null when not completed).</param>
/// <param name="ReportPath"><c>report.md</c> (null when not completed).</param>
/// <param name="TotalSeconds">Wall time of the whole pipeline.</param>
public sealed record DemoResult(bool Completed, EvaluationResult? Evaluation, DiversityReport? Diversity, string? ReportPath, double TotalSeconds);

/// <summary>
/// The whole pipeline on the embedded default: train a small GAN on generated sphere packings, keep
/// all 64 training volumes as the baseline, generate 64 volumes, evaluate them (p1, S2, C11 of 4 per set)
/// and write <c>report.md</c> with the figures. Every step is the one the full commands run.
/// </summary>
public static class DemoPipeline
{
    /// <summary>
    /// Runs the demo in <paramref name="options"/>.Folder. <paramref name="train"/> runs the training loop
    /// (the caller's, with its progress display and interruption handling) and returns true when it
    /// finished; <paramref name="stage"/> hears "[k/4] ..." lines; <paramref name="generated"/> and
    /// <paramref name="evaluated"/> see the generation and evaluation progress.
    /// </summary>
    public static DemoResult Run(DemoOptions options, Device device, Func<TrainingRun, bool> train, IProgress<string>? stage = null,
        IProgress<int>? generated = null, IProgress<string>? evaluated = null)
    {
        var clock = Stopwatch.StartNew();
        string dir = options.Folder;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var data = options.Data;
        var gan = options.Model;
        var training = options.Training;
        stage?.Report($"[1/4] training on {data.Count} generated {gan.Size}^3 sphere packings in {dir}");
        using (var run = TrainingRun.Start(Path.Combine(dir, "run"), gan, training, data, device))
        {
            gan = run.Config.Gan; // now with the data's lambda range
            if (!train(run)) return new DemoResult(false, null, null, null, clock.Elapsed.TotalSeconds);
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;

        stage?.Report("[2/4] writing the training volumes used as the baseline");
        SetComparison.WriteBaseline(data.Load(gan.Size), DemoOptions.VolumeCount, Path.Combine(dir, "real"));

        stage?.Report($"[3/4] generating {DemoOptions.VolumeCount} volumes");
        using (var sampler = Sampler.FromCheckpoint(Path.Combine(dir, "run", "latest.safetensors"), device))
            sampler.WriteAll(Path.Combine(dir, "generated"), DemoOptions.VolumeCount, sigma: 1, seed: 1, progress: generated);

        stage?.Report($"[4/4] evaluating (p1, S2, C11 by FFT homogenization of {DemoOptions.HomogenizeCount} volumes per set)");
        var comparison = SetComparison.CompareFolders(Path.Combine(dir, "real"), Path.Combine(dir, "generated"), DemoOptions.HomogenizeCount, null, dir, device, evaluated);
        var report = DemoReport.Write(dir, gan, training, comparison.Result, comparison.Diversity, trainSeconds, clock.Elapsed.TotalSeconds, device.ToString());
        return new DemoResult(true, comparison.Result, comparison.Diversity, report, clock.Elapsed.TotalSeconds);
    }
}
