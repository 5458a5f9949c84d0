using System.Diagnostics;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Gan.Generation;
using VoxelGan.Gan.Training;
using VoxelGan.Tensors;

namespace VoxelGan.Gan.Reproduce;

/// <summary>The outcome of <see cref="ReproducePipeline.Run"/>.</summary>
/// <param name="Completed">False when training was interrupted or failed (run the command again to resume).</param>
/// <param name="Steps">Iterations trained so far.</param>
/// <param name="ResumedFrom">The checkpoint training resumed from, or null for a new run.</param>
/// <param name="Comparison">The evaluation (null when not completed).</param>
/// <param name="ReportPath"><c>report.md</c> (null when not completed).</param>
public sealed record ReproduceResult(bool Completed, long Steps, string? ResumedFrom, SetComparisonReport? Comparison, string? ReportPath);

/// <summary>
/// The paper's Table 2 experiment end to end: train (resuming a run already in the folder), keep as many
/// training volumes as will be generated as the baseline, generate, evaluate by Eq. 34 (p1, S2, C11) and
/// the diversity check, and write <c>report.md</c> comparing the errors with Table 2.
/// </summary>
public static class ReproducePipeline
{
    /// <summary>
    /// Runs (or continues) the experiment in <paramref name="options"/>.Folder. <paramref name="train"/> runs
    /// the training loop (the caller's, with its progress display and interruption handling) and returns
    /// true when all iterations are done; <paramref name="stage"/> hears one line per stage.
    /// </summary>
    public static ReproduceResult Run(ReproduceOptions options, Device device, Func<TrainingRun, bool> train, IProgress<string>? stage = null,
        IProgress<int>? generated = null, IProgress<string>? evaluated = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        string dir = options.Folder, runDir = Path.Combine(dir, "run");
        TrainingRun run;
        string? resumedFrom = null;
        if (File.Exists(Path.Combine(runDir, "config.json")))
        {
            string configPath = Path.Combine(runDir, "config.json");
            var differences = options.Differences(RunConfig.FromJson(File.ReadAllText(configPath), configPath));
            if (differences.Count > 0)
                throw new ArgumentException($"{runDir} holds a run set up differently ({string.Join("; ", differences)}): " +
                                            "resume it with the same options, or give another --out");
            run = TrainingRun.Resume(runDir, device, options.Iterations);
            resumedFrom = run.ResumedFrom;
            stage?.Report($"[1/4] resuming {runDir} at step {run.Trainer.Step} of {run.Config.Train.Iterations} from {run.ResumedFrom}");
        }
        else
        {
            stage?.Report($"[1/4] training {options.Iterations} iterations on {options.DataCount} sphere packings of {options.Size}^3 in {runDir}");
            run = TrainingRun.Start(runDir, options.Model, options.Training, options.Data, device);
        }
        RunConfig config;
        long steps;
        using (run)
        {
            bool done = train(run);
            (config, steps) = (run.Config, run.Trainer.Step);
            if (!done) return new ReproduceResult(false, steps, resumedFrom, null, null);
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;

        var baseline = config.Data.Load(config.Gan.Size);
        int count = Math.Min(options.Volumes, baseline.Volumes.Count);
        stage?.Report($"[2/4] writing {count} training volumes as the baseline");
        string realDir = Path.Combine(dir, "real");
        SetComparison.WriteBaseline(baseline, count, realDir);

        stage?.Report($"[3/4] generating {options.Volumes} volumes");
        string generatedDir = Path.Combine(dir, "generated");
        using (var sampler = Sampler.FromCheckpoint(Path.Combine(runDir, "latest.safetensors"), device))
        {
            Sampler.PrepareFolder(generatedDir, overwrite: true);
            sampler.WriteAll(generatedDir, options.Volumes, sigma: 1, seed: 1, progress: generated);
        }

        stage?.Report($"[4/4] evaluating (p1, S2; C11 of {options.Homogenize} volumes per set)");
        var comparison = SetComparison.CompareFolders(realDir, generatedDir, options.Homogenize, null, dir, device, evaluated);
        var report = ReproduceReport.Write(dir, config, steps, count, options.Volumes, options.Homogenize, comparison, trainSeconds, clock.Elapsed.TotalSeconds, device.ToString());
        return new ReproduceResult(true, steps, resumedFrom, comparison, report);
    }
}
