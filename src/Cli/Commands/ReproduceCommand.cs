using System.CommandLine;
using VoxelGan.Gan.Reproduce;
using VoxelGan.Layers;

namespace VoxelGan.Cli.Commands;

/// <summary>
/// <c>voxelgan reproduce</c>: the paper's Table 2 experiment through <see cref="ReproducePipeline"/>; calling it
/// again on the same folder resumes the training where it stopped. The loop is <see cref="TrainCommand.Loop"/>.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var d = new ReproduceOptions("");
        var output = new Option<DirectoryInfo>("--out") { Description = "experiment folder (a run already there is resumed)", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "reproduce")) };
        var iterations = new Option<long>("--iterations") { Description = "training iterations (paper: 100000)", DefaultValueFactory = _ => d.Iterations };
        var dataCount = new Option<int>("--data-count") { Description = "training volumes (paper: 10000)", DefaultValueFactory = _ => d.DataCount };
        var volumes = new Option<int>("--volumes") { Description = "volumes generated and kept from the training set for the evaluation (paper: 1000)", DefaultValueFactory = _ => d.Volumes };
        var homogenize = new Option<int>("--homogenize") { Description = "volumes per set homogenized for C11", DefaultValueFactory = _ => d.Homogenize };
        var precision = new Option<string>("--precision") { Description = "mixed (the authors'), mixed-no-recompute or fp32", DefaultValueFactory = _ => d.Precision.Name() };
        var size = new Option<int>("--size") { Description = "volume edge (paper: 32; smaller for a quick look)", DefaultValueFactory = _ => d.Size };
        var ngf = new Option<int>("--ngf") { Description = "generator filters of the last block (paper: 32)", DefaultValueFactory = _ => d.Ngf };
        var ndf = new Option<int>("--ndf") { Description = "critic filters of the first block (paper: 16)", DefaultValueFactory = _ => d.Ndf };
        var seed = new Option<ulong>("--seed") { Description = "seed of data, weights, batches and latents", DefaultValueFactory = _ => d.Seed };
        var command = new Command("reproduce", "The paper's Table 2 setting: train (resumable), generate, evaluate, and write report.md comparing with Table 2. " +
                                                "The recipe is the paper's unless the recipe options (those of train) say otherwise.")
            { output, iterations, dataCount, volumes, homogenize, precision, size, ngf, ndf, seed };
        var recipe = new GanOptions();
        recipe.AddRecipe(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var options = new ReproduceOptions(parse.GetValue(output)!.FullName, parse.GetValue(iterations), parse.GetValue(dataCount), parse.GetValue(volumes),
                parse.GetValue(homogenize), PrecisionExtensions.ParsePrecision(parse.GetValue(precision)!), parse.GetValue(size), parse.GetValue(ngf), parse.GetValue(ndf),
                parse.GetValue(seed))
            {
                Architecture = recipe.Config(parse),
                Recipe = recipe.Train(parse),
            }.Validate();
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                ReproduceResult result;
                var progress = new PipelineProgress(options.Volumes);
                using (progress) result = ReproducePipeline.Run(options, device, progress.Train, progress.Stage, progress.Generated, progress.Evaluated);
                if (!result.Completed) return progress.TrainCode;
                EvaluateCommand.Print(result.Comparison!.Result);
                EvaluateCommand.Print(result.Comparison.Diversity);
                var t = ReproduceOptions.Table2;
                Console.WriteLine(FormattableString.Invariant($"paper, Table 2: E_p1 {t.P1:0.000e+0}, E_p2 {t.P2:0.000e+0}, E_C11 {t.C11:0.000e+0}"));
                Console.WriteLine($"report: {result.ReportPath}");
            }
            return 0;
        }));
        return command;
    }
}
