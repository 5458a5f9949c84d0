using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Commands;

/// <summary>
/// <c>voxelgan demo</c>: the whole pipeline on the embedded default (periodic sphere packings generated
/// in memory): train a small GAN, generate, evaluate, and write <c>report.md</c> with the figures.
/// Sized to finish in about 6 minutes on two CPU cores; every step is the one the full commands run.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "demo folder", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "demo")) };
        var iterations = new Option<long>("--iterations") { Description = "training iterations", DefaultValueFactory = _ => 400 };
        var size = new Option<int>("--size") { Description = "volume edge (16 keeps the demo short on a CPU; the paper uses 32)", DefaultValueFactory = _ => 16 };
        var precision = new Option<string>("--precision") { Description = "fp32 (default here: no speed gain from fp16 on a CPU) or mixed", DefaultValueFactory = _ => "fp32" };
        var command = new Command("demo", "Train, generate and evaluate a small GAN on generated spheres; writes report.md (the README's main command).") { output, iterations, size, precision };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var dir = parse.GetValue(output)!.FullName;
            var clock = Stopwatch.StartNew();
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // a demo always starts afresh
            int n = parse.GetValue(size);
            var gan = new GanConfig { Size = n, Ngf = 8, Ndf = 4 }.Validate();
            // Five times the paper's learning rates: a few hundred iterations at the paper's rates barely move the weights.
            var train = new TrainOptions
            {
                Iterations = parse.GetValue(iterations), BatchSize = 8, LearningRateCritic = 5e-4, LearningRateGenerator = 2.5e-4,
                Precision = PrecisionExtensions.ParsePrecision(parse.GetValue(precision)!), SampleEvery = 100, CheckpointEvery = 200, Seed = 1,
            }.Validate();
            var data = new DataSpec("spheres", 64, 1);
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                Console.WriteLine($"[1/4] training on {data.Count} generated {n}^3 sphere packings in {dir}");
                using (var run = TrainingRun.Start(Path.Combine(dir, "run"), gan, train, data, device))
                {
                    gan = run.Config.Gan; // now with the data's lambda range
                    int code = TrainCommand.Loop(run);
                    if (code != 0) return code;
                }
                double trainSeconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine("[2/4] writing the training volumes used as the baseline");
                var baseline = data.Load(n);
                for (int i = 0; i < 16; i++)
                    NpyFile.Write(Path.Combine(dir, "real", $"sphere_{i:D4}.npy"), Array.ConvertAll(baseline.Volumes[i].Values, v => (byte)v), n, n, n);
                Console.WriteLine("[3/4] generating 16 volumes");
                var checkpoint = Path.Combine(dir, "run", "latest.safetensors");
                int rc = Program(["generate", checkpoint, "--count", "16", "--out", Path.Combine(dir, "generated")], parse);
                if (rc != 0) return rc;
                Console.WriteLine("[4/4] evaluating (p1, S2, C11 by FFT homogenization of 4 volumes per set)");
                var result = EvaluateCommand.Run(Path.Combine(dir, "real"), Path.Combine(dir, "generated"), 4, null, dir, device);
                EvaluateCommand.Print(result);
                WriteReport(dir, gan, train, result, trainSeconds, clock.Elapsed.TotalSeconds, device.ToString());
                Console.WriteLine($"report: {Path.Combine(dir, "report.md")} ({clock.Elapsed.TotalMinutes:F1} min)");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Runs another voxelgan command in-process with the same global options.</summary>
    private static int Program(string[] args, ParseResult parse)
    {
        var device = parse.GetValue(GlobalOptions.Device);
        var root = parse.RootCommandResult.Command;
        return root.Parse(device is null ? args : [.. args, "--device", device]).Invoke();
    }

    /// <summary>Says whether the generated volumes differ from one another as much as the training volumes do.</summary>
    private static string Diversity(EvaluationResult r)
    {
        static double Std(double[] v) => Math.Sqrt(v.Average(x => (x - v.Average()) * (x - v.Average())));
        double real = Std(r.Real.P1), fake = Std(r.Fake.P1);
        string ratio = FormattableString.Invariant($"The spread of p1 over the generated volumes is {fake:G3}, over the training volumes {real:G3}");
        return fake < 0.5 * real
            ? ratio + ": the generated volumes are nearly identical to one another (mode collapse), which is common this early in WGAN training."
            : ratio + ".";
    }

    private static void WriteReport(string dir, GanConfig gan, TrainOptions train, EvaluationResult r, double trainSeconds, double totalSeconds, string device)
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
            .AppendLine($"- Model: the paper's architecture at {gan.Size}^3 with nGf {gan.Ngf}, nDf {gan.Ndf} (critic slope {gan.CriticSlope}).")
            .AppendLine($"- Training: {train.Iterations} iterations, batch {train.BatchSize}, lr_D {train.LearningRateCritic}, lr_G {train.LearningRateGenerator}, mapping factor {train.MappingLearningRateFactor}, GP lambda {train.GradientPenaltyWeight}, {train.Precision.ToString().ToLowerInvariant()}.")
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
            .AppendLine(Diversity(r))
            .AppendLine()
            .AppendLine("Two-point correlation of both sets (mean and one standard deviation):")
            .AppendLine()
            .AppendLine("![S2](s2.png)")
            .AppendLine()
            .AppendLine("Centre slices of generated volumes:")
            .AppendLine()
            .AppendLine("![generated](generated/slices.png)")
            .AppendLine()
            .AppendLine($"Generated centre slices during training ({string.Join(", ", samples.Select(Path.GetFileNameWithoutExtension))}):")
            .AppendLine();
        foreach (var s in samples) md.AppendLine($"![{Path.GetFileNameWithoutExtension(s)}](run/samples/{Path.GetFileName(s)})");
        md.AppendLine()
            .AppendLine("## How far this is from the paper")
            .AppendLine()
            .AppendLine($"This demo trains for {train.Iterations} iterations a network with {gan.Ngf}/{gan.Ndf} filters on {gan.Size}^3 volumes, on a CPU. " +
                        "The paper's best 32^3 model used nGf 32, nDf 16 at 32^3 and 2,000,000 iterations (the authors' default run: 20,000 iterations on 1,000 samples), " +
                        "about 5,000 times more training on a network about 30 times larger, and reports errors of a few percent for p1, p2 and C11. " +
                        "A run this short is expected to produce blurry, partly formed inclusions and errors far above the paper's; it shows that every stage works end to end, not the paper's quality. " +
                        "For a real reproduction run `voxelgan train --data spheres --out runs/paper` (paper defaults) on a GPU.");
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), md.ToString());
    }
}
