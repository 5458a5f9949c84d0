using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxelGan.Gan.Demo;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Reproduce;

/// <summary><c>report.md</c> of <see cref="ReproducePipeline"/>: what ran, the learning curve, and the Eq. 34 errors beside the paper's Table 2.</summary>
public static class ReproduceReport
{
    /// <summary>Windows of the learning-curve table.</summary>
    public const int CurveRows = 10;

    /// <summary>
    /// The learning curve from <c>metrics.jsonl</c>: <see cref="CurveRows"/> windows of equal length, each with
    /// its last step and the means of the Wasserstein estimate, the gradient penalty and the generated batches' spread.
    /// </summary>
    public static IReadOnlyList<(long Step, double Wasserstein, double Penalty, double FakeStd)> Curve(string metricsPath)
    {
        var rows = File.ReadLines(metricsPath).Where(l => l.Length > 0).Select(l =>
        {
            var e = JsonDocument.Parse(l).RootElement;
            return (Step: e.GetProperty("step").GetInt64(), W: e.GetProperty("wasserstein").GetDouble(), GP: e.GetProperty("gradient_penalty").GetDouble(), Std: e.GetProperty("fake_std").GetDouble());
        }).ToList();
        int size = Math.Max(1, (rows.Count + CurveRows - 1) / CurveRows);
        return rows.Chunk(size).Select(w => (w[^1].Step, w.Average(r => r.W), w.Average(r => r.GP), w.Average(r => r.Std))).ToList();
    }

    /// <summary>
    /// Where the run's recipe departs from the paper's (initialization, minibatch statistic, output margin, weight
    /// averaging, learning-rate schedule), as "name value" phrases; empty for the paper's recipe.
    /// </summary>
    public static IReadOnlyList<string> Departures(GanConfig gan, TrainOptions train)
    {
        var paper = new GanConfig();
        var paperTrain = new TrainOptions();
        var list = new List<string>();
        void Add(bool differs, string phrase) { if (differs) list.Add(phrase); }
        Add(gan.InitGain != paper.InitGain, FormattableString.Invariant($"init gain {gan.InitGain}"));
        Add(gan.CriticInitGain is not null, FormattableString.Invariant($"critic init gain {gan.CriticInitGain}"));
        Add(gan.InterpolatingInit, "interpolating start");
        Add(gan.BalancedInit, "balanced init");
        Add(gan.SkipInitGain != paper.SkipInitGain, FormattableString.Invariant($"skip init gain {gan.SkipInitGain}"));
        Add(gan.Upsampling != paper.Upsampling, "resize-convolution upsampling");
        Add(gan.MinibatchStdGroup != paper.MinibatchStdGroup, $"minibatch std over groups of {gan.MinibatchStdGroup}");
        Add(gan.OutputMargin != paper.OutputMargin, FormattableString.Invariant($"output margin {gan.OutputMargin}"));
        Add(train.AverageDecay != paperTrain.AverageDecay, FormattableString.Invariant($"generator average decay {train.AverageDecay}"));
        Add(train.LearningRateDecay != paperTrain.LearningRateDecay, FormattableString.Invariant($"learning-rate decay over the last {train.LearningRateDecay}"));
        Add(train.FractionPenalty != paperTrain.FractionPenalty, FormattableString.Invariant($"phase-fraction penalty {train.FractionPenalty}"));
        return list;
    }

    /// <summary>Writes <c>report.md</c> into <paramref name="dir"/> and returns its path.</summary>
    public static string Write(string dir, RunConfig config, long steps, int realCount, int fakeCount, int homogenize, SetComparisonReport comparison,
        double trainSeconds, double totalSeconds, string device)
    {
        var (gan, train, r) = (config.Gan, config.Train, comparison.Result);
        var paper = ReproduceOptions.Table2;
        string E(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000e+0", CultureInfo.InvariantCulture);
        string Ratio(double ours, double table) => double.IsNaN(ours) ? "-" : (ours / table).ToString("F2", CultureInfo.InvariantCulture);
        var md = new StringBuilder()
            .AppendLine("# Reproducing the paper's Table 2 (32^3 spheres, nGf 32, growing critic nDf 16)")
            .AppendLine()
            .AppendLine($"Device: {device}. This call took {totalSeconds / 60:F1} min, of which training {trainSeconds / 60:F1} min (earlier calls of a resumed run not counted).")
            .AppendLine()
            .AppendLine("## What ran")
            .AppendLine($"- Data: {config.Data.Count} sphere packings of {gan.Size}^3 from the {(config.Data.Style == Data.SphereStyle.Authors ? "authors'" : "periodic")} generator (seed {config.Data.Seed}), standardized (mean {config.Stats.Mean:G4}, std {config.Stats.Std:G4}).")
            .AppendLine($"- Model: {gan.Size}^3, nGf {gan.Ngf}, nDf {gan.Ndf}, {gan.Topology.ToString().ToLowerInvariant()} critic, {gan.TransposedConvolution} 'same' transposed convolutions.")
            .AppendLine($"- Training: {steps} of {train.Iterations} iterations (paper: 100000), batch {train.BatchSize}, lr_D {train.LearningRateCritic}, lr_G {train.LearningRateGenerator}, mapping factor {train.MappingLearningRateFactor}, " +
                        $"critic steps {train.CriticSteps}, {train.Precision.Name()}; the run's config.json has every option.")
            .AppendLine($"- Recipe: {(Departures(gan, train) is { Count: > 0 } departures ? "the paper's except " + string.Join(", ", departures) : "the paper's")}.")
            .AppendLine($"- Evaluation: {fakeCount} generated volumes (paper: 1000) against {realCount} training volumes; C11 from {homogenize} volumes per set.")
            .AppendLine()
            .AppendLine("## Errors (Eq. 34) against the paper's Table 2")
            .AppendLine()
            .AppendLine("| error | paper, Table 2 | this run | this run / paper |")
            .AppendLine("| --- | --- | --- | --- |")
            .AppendLine($"| E_p1 | {E(paper.P1)} | {E(r.ErrorP1)} | {Ratio(r.ErrorP1, paper.P1)} |")
            .AppendLine($"| E_p2 | {E(paper.P2)} | {E(r.ErrorP2)} | {Ratio(r.ErrorP2, paper.P2)} |")
            .AppendLine($"| E_C11 | {E(paper.C11)} | {E(r.ErrorC11)} | {Ratio(r.ErrorC11, paper.C11)} |")
            .AppendLine()
            .AppendLine(DemoReport.Diversity(comparison.Diversity))
            .AppendLine()
            .AppendLine("## Learning curve (means over windows of iterations)")
            .AppendLine()
            .AppendLine("| up to step | Wasserstein estimate | gradient penalty | std of generated batch |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var (step, w, gp, std) in Curve(Path.Combine(dir, "run", "metrics.jsonl")))
            md.AppendLine(FormattableString.Invariant($"| {step} | {w:F3} | {gp:F3} | {std:F3} |"));
        md.AppendLine()
            .AppendLine("Two-point correlation (mean and one standard deviation of each set):")
            .AppendLine()
            .AppendLine("![S2](s2.png)")
            .AppendLine()
            .AppendLine("| training | generated |")
            .AppendLine("| --- | --- |")
            .AppendLine("| ![training](real/slices.png) | ![generated](generated/slices.png) |");
        var path = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(path, md.ToString());
        return path;
    }
}
