using System.CommandLine;
using System.Globalization;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Tensors;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan evaluate --real DIR --fake DIR</c>: E_p1, E_p2, E_C11 (Eq. 34) and the S2 plot (Figure 7).</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var real = new Option<string>("--real") { Description = "folder of training (baseline) volumes", Required = true };
        var fake = new Option<string>("--fake") { Description = "folder of generated volumes (voxelgan generate's output: its phases/ is used)", Required = true };
        var homogenize = new Option<int>("--homogenize") { Description = "homogenize the first N volumes of each set for C11 (0: skip C11)", DefaultValueFactory = _ => 8 };
        var threshold = VolumeOptions.Threshold("phase 1 above T for grey-value volumes (default: midway between the set's smallest and largest value)");
        var output = new Option<DirectoryInfo?>("--out") { Description = "where evaluation.json and s2.png go (default: the --fake folder)" };
        var command = new Command("evaluate", "Compare generated volumes with the training set: E_p1, E_p2, E_C11 (paper Eq. 34) and a two-point correlation plot.") { real, fake, homogenize, threshold, output };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int count = parse.GetValue(homogenize);
            if (count < 0) throw new ArgumentException($"--homogenize must be non-negative, got {count}");
            var outDir = parse.GetValue(output)?.FullName ?? parse.GetValue(fake)!;
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                var report = Compare(parse.GetValue(real)!, parse.GetValue(fake)!, count, parse.GetValue(threshold), outDir, device);
                Print(report.Result);
                Print(report.Diversity);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Runs the library's comparison with a progress bar and says where the files went.</summary>
    internal static SetComparisonReport Compare(string realDir, string fakeDir, int homogenize, double? threshold, string outDir, Device device)
    {
        SetComparisonReport report;
        using (var progress = new ConsoleProgress("evaluate", 2))
        {
            int done = 0;
            report = SetComparison.CompareFolders(realDir, fakeDir, homogenize, threshold, outDir, device, new SyncProgress<string>(m => progress.Report(++done, m)));
        }
        Console.WriteLine($"wrote {report.JsonPath} and {report.PlotPath}");
        return report;
    }

    internal static void Print(DiversityReport d)
    {
        Console.WriteLine(FormattableString.Invariant($"{"diversity",-8} per-voxel std across the set {d.VoxelStdFake:F4} (generated) vs {d.VoxelStdReal:F4} (training), ratio {d.VoxelStdRatio:F2}; p1 spread {d.P1StdFake:G3} vs {d.P1StdReal:G3}"));
        Console.WriteLine(FormattableString.Invariant($"{"",-8} position template {d.TemplateFake:F3} (generated) vs {d.TemplateReal:F3} (training): spread over voxels of the chance of phase 1 beyond chance; 0 without preferred positions"));
        Console.WriteLine(FormattableString.Invariant($"{"",-8} nearest training volume: {Statistics.Mean(d.NearestTraining):F4} of the voxels differ on average (min {d.NearestTraining.Min():F4}; training volumes among themselves {d.TrainingNearest:F4})"));
        Console.WriteLine($"{"verdict",-8} {d.Verdict}");
    }

    internal static void Print(EvaluationResult r)
    {
        static string Stat(double[] v) => v.Length == 0 ? "-" : FormattableString.Invariant($"{Statistics.Mean(v):G5} +- {Statistics.StandardDeviation(v):G3}");
        Console.WriteLine($"{"",-8} {"training set",-24} {"generated",-24} {"error E (Eq. 34)",16}");
        Console.WriteLine($"{"p1",-8} {Stat(r.Real.P1),-24} {Stat(r.Fake.P1),-24} {r.ErrorP1,16:F4}");
        Console.WriteLine($"{"p2",-8} {"S2(r), r = 0.." + r.Real.Radii[^1],-24} {"",-24} {r.ErrorP2,16:F4}");
        Console.WriteLine($"{"C11",-8} {Stat(r.Real.C11),-24} {Stat(r.Fake.C11),-24} {(double.IsNaN(r.ErrorC11) ? "-" : r.ErrorC11.ToString("F4", CultureInfo.InvariantCulture)),16}");
    }
}
