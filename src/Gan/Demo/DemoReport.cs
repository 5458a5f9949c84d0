using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Demo;

/// <summary>The demo's <c>report.md</c>: what ran, the Eq. 34 errors, a diversity verdict, the figures and how far this is from the paper.</summary>
public static class DemoReport
{
    /// <summary>The diversity paragraph: the numbers of <see cref="DiversityReport"/> and its verdict.</summary>
    public static string Diversity(DiversityReport d) =>
        FormattableString.Invariant($"Diversity: the per-voxel standard deviation across the generated volumes is {d.VoxelStdFake:F4}, across the training volumes {d.VoxelStdReal:F4} (ratio {d.VoxelStdRatio:F2}); ") +
        FormattableString.Invariant($"p1 spreads by {d.P1StdFake:G3} over the generated volumes and {d.P1StdReal:G3} over the training volumes; a generated volume differs from its nearest training volume in ") +
        FormattableString.Invariant($"{Statistics.Mean(d.NearestTraining):P1} of its voxels on average (training volumes from one another: {d.TrainingNearest:P1}); ") +
        FormattableString.Invariant($"position template (how much some voxels are preferred over others in every volume, 0 for none) {d.TemplateFake:F3} generated, {d.TemplateReal:F3} training. Verdict: {d.Verdict}.");

    /// <summary>Writes <c>report.md</c> into <paramref name="dir"/> (the demo folder) and returns its path.</summary>
    public static string Write(string dir, GanConfig gan, TrainOptions train, EvaluationResult r, DiversityReport diversity, double trainSeconds, double totalSeconds, string device)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, "run", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        double W(int i) => lines[i].GetProperty("wasserstein").GetDouble();
        var samples = Directory.GetFiles(Path.Combine(dir, "run", "samples"), "*.png").Order(StringComparer.Ordinal).ToList();
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var md = new StringBuilder()
            .AppendLine("# VoxelGan demo report")
            .AppendLine()
            .AppendLine($"Device: {device}. Total time {totalSeconds / 60:F1} min, of which training {trainSeconds / 60:F1} min.")
            .AppendLine()
            .AppendLine("## What ran")
            .AppendLine($"- Data: 64 periodic, non-overlapping sphere packings of {gan.Size}^3 (radius {gan.Size / 8}, inclusion fraction 0.2), generated in memory, standardized to mean 0 and standard deviation 1 (lambda in [{F(gan.LambdaMin)}, {F(gan.LambdaMax)}]).")
            .AppendLine($"- Model: the paper's architecture at {gan.Size}^3 with nGf {gan.Ngf}, nDf {gan.Ndf} (critic slope {gan.CriticSlope}), orthogonal initialization with gain {gan.InitGain} " +
                        "(the authors' 1 lets the latent's signal fade to about 0.002 of the data's variation at the output, and every short run then collapses to one volume)" +
                        (gan.InterpolatingInit ? ", the stride-2 transposed convolutions started as channel mix plus trilinear interpolation (the plain draw prints a period-2 checkerboard on every volume)" : "") +
                        (gan.Upsampling == GeneratorUpsampling.Resize ? ", resize-convolutions (nearest upsampling + stride-1 convolution) where the paper has stride-2 transposed convolutions (whose output phases print a pattern of period 8 at fixed positions)" : "") +
                        (gan.MinibatchStdGroup > 0 ? $", a minibatch standard-deviation channel over groups of {gan.MinibatchStdGroup} before the critic's head (so the critic sees how much the volumes' phase fractions vary)" : "") +
                        "; docs/RECIPE.md has the search.")
            .AppendLine($"- Training: {train.Iterations} iterations, batch {train.BatchSize}, lr_D {train.LearningRateCritic}, lr_G {train.LearningRateGenerator}, mapping factor {train.MappingLearningRateFactor}, GP lambda {train.GradientPenaltyWeight}, " +
                        $"{(train.CriticSteps == 1 ? "the authors' joint update" : $"{train.CriticSteps} critic steps per generator step")}, {train.Precision.Name()}" +
                        (train.FractionPenalty > 0 ? $", fraction penalty {train.FractionPenalty} (a term in the generator's loss that pulls each volume's phase fraction toward the training set's)" : "") +
                        (train.AverageDecay > 0 ? $", generating from a moving average of the generator's weights (decay {train.AverageDecay})" : "") + ".")
            .AppendLine($"- Wasserstein estimate E[D(real)] - E[D(fake)]: first iteration {F(W(0))}, last {F(W(lines.Count - 1))}; mean of the last 50: {F(lines.TakeLast(50).Average(l => l.GetProperty("wasserstein").GetDouble()))}.")
            .AppendLine()
            .AppendLine("## Results (Eq. 34 errors against the training set)")
            .AppendLine()
            .AppendLine("| descriptor | training set | generated | error E |")
            .AppendLine("| --- | --- | --- | --- |")
            .AppendLine($"| p1 | {F(r.Real.P1.Average())} | {F(r.Fake.P1.Average())} | {F(r.ErrorP1)} |")
            .AppendLine($"| p2 (S2 over r) | | | {F(r.ErrorP2)} |")
            .AppendLine($"| C11 | {(r.Real.C11.Length > 0 ? F(r.Real.C11.Average()) : "-")} | {(r.Fake.C11.Length > 0 ? F(r.Fake.C11.Average()) : "-")} | {(double.IsNaN(r.ErrorC11) ? "-" : F(r.ErrorC11))} |")
            .AppendLine()
            .AppendLine(Diversity(diversity))
            .AppendLine()
            .AppendLine("Two-point correlation of both sets (mean and one standard deviation):")
            .AppendLine()
            .AppendLine("![S2](s2.png)")
            .AppendLine()
            .AppendLine("Centre slices of training volumes (left) and generated volumes (right):")
            .AppendLine()
            .AppendLine("| training | generated |")
            .AppendLine("| --- | --- |")
            .AppendLine("| ![training](real/slices.png) | ![generated](generated/slices.png) |")
            .AppendLine()
            .AppendLine($"Generated centre slices during training ({string.Join(", ", samples.Select(Path.GetFileNameWithoutExtension))}):")
            .AppendLine();
        foreach (var s in samples) md.AppendLine($"![{Path.GetFileNameWithoutExtension(s)}](run/samples/{Path.GetFileName(s)})");
        md.AppendLine()
            .AppendLine("## How far this is from the paper")
            .AppendLine()
            .AppendLine($"This demo trains for {train.Iterations} iterations a network with {gan.Ngf}/{gan.Ndf} filters on {gan.Size}^3 volumes, on {device}. " +
                        "The paper's best 32^3 model used nGf 32, nDf 16 at 32^3 and 2,000,000 iterations (the authors' default run: 20,000 iterations on 1,000 samples), " +
                        $"about {2_000_000.0 / train.Iterations:N0} times more training on a network about 30 times larger, and reports errors of a few percent for p1, p2 and C11. " +
                        "A run this short produces partly formed inclusions and errors above the paper's; it shows that every stage works end to end, not the paper's quality. " +
                        "For a real reproduction run `voxelgan train --data spheres --out runs/paper` (paper defaults) on a GPU.");
        var path = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(path, md.ToString());
        return path;
    }
}
