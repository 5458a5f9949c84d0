using System.CommandLine;
using VoxelGan.Gan.Demo;
using VoxelGan.Layers;

namespace VoxelGan.Cli.Commands;

/// <summary>
/// <c>voxelgan demo</c>: parses its options and runs <see cref="DemoPipeline"/> (train, generate, evaluate,
/// report) with console progress; the training loop is <see cref="TrainCommand.Loop"/>, so Ctrl-C behaves
/// as in <c>train</c>.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var defaults = new DemoOptions("");
        var output = new Option<DirectoryInfo>("--out") { Description = "demo folder", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "demo")) };
        var iterations = new Option<long>("--iterations") { Description = "training iterations", DefaultValueFactory = _ => defaults.Iterations };
        var size = new Option<int>("--size") { Description = "volume edge (16 keeps the demo short on a CPU; the paper uses 32)", DefaultValueFactory = _ => defaults.Size };
        var precision = new Option<string>("--precision") { Description = "fp32 (default here: no speed gain from fp16 on a CPU), mixed or mixed-no-recompute", DefaultValueFactory = _ => defaults.Precision.Name() };
        var command = new Command("demo", "Train, generate and evaluate a small GAN on generated spheres; writes report.md (the README's main command).") { output, iterations, size, precision };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var options = new DemoOptions(parse.GetValue(output)!.FullName, parse.GetValue(iterations), parse.GetValue(size),
                PrecisionExtensions.ParsePrecision(parse.GetValue(precision)!));
            _ = options.Model; // validates the size before anything is deleted or trained
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                DemoResult result;
                var progress = new PipelineProgress(DemoOptions.VolumeCount);
                using (progress) result = DemoPipeline.Run(options, device, progress.Train, progress.Stage, progress.Generated, progress.Evaluated);
                // Interrupted (Ctrl-C: exit 0, as train) or failed (exit 1): the loop has said which and where the run is.
                if (!result.Completed) return progress.TrainCode;
                EvaluateCommand.Print(result.Evaluation!);
                EvaluateCommand.Print(result.Diversity!);
                Console.WriteLine($"report: {result.ReportPath} ({result.TotalSeconds / 60:F1} min)");
            }
            return 0;
        }));
        return command;
    }
}
