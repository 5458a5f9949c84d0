using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Gan.Figures;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

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
                var result = Run(parse.GetValue(real)!, parse.GetValue(fake)!, count, parse.GetValue(threshold), outDir, device);
                Print(result);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Evaluates and writes <c>evaluation.json</c> and <c>s2.png</c> into <paramref name="outDir"/>.</summary>
    internal static EvaluationResult Run(string realDir, string fakeDir, int homogenize, double? threshold, string outDir, Device device)
    {
        var (realPhases, rn) = ReadSet(realDir, threshold);
        var (fakePhases, fn) = ReadSet(Directory.Exists(Path.Combine(fakeDir, "phases")) ? Path.Combine(fakeDir, "phases") : fakeDir, threshold);
        using var progress = new ConsoleProgress("evaluate", 2);
        var realSet = Evaluator.Describe(realPhases, rn, rn, rn, homogenize, device);
        progress.Report(1, "real set");
        var fakeSet = Evaluator.Describe(fakePhases, fn, fn, fn, homogenize, device);
        progress.Report(2, "generated set");
        var result = Evaluator.Compare(realSet, fakeSet);
        var json = new
        {
            real = realDir,
            fake = fakeDir,
            real_count = realPhases.Count,
            fake_count = fakePhases.Count,
            E_p1 = result.ErrorP1,
            E_p2 = result.ErrorP2,
            E_C11 = double.IsNaN(result.ErrorC11) ? (double?)null : result.ErrorC11,
            p1 = new { real = realSet.P1.Average(), fake = fakeSet.P1.Average() },
            C11 = new { real = realSet.C11, fake = fakeSet.C11 },
            radii = realSet.Radii,
            S2 = new { real = Evaluator.Curve("real", realSet).Mean, fake = Evaluator.Curve("generated", fakeSet).Mean },
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "evaluation.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        CorrelationPlot.Save(Path.Combine(outDir, "s2.png"), [Evaluator.Curve($"training set ({realPhases.Count})", realSet), Evaluator.Curve($"generated ({fakePhases.Count})", fakeSet)]);
        Console.WriteLine($"wrote {Path.Combine(outDir, "evaluation.json")} and {Path.Combine(outDir, "s2.png")}");
        return result;
    }

    internal static void Print(EvaluationResult r)
    {
        static string Stat(double[] v) => v.Length == 0 ? "-" : FormattableString.Invariant($"{v.Average():G5} +- {Math.Sqrt(v.Average(x => (x - v.Average()) * (x - v.Average()))):G3}");
        Console.WriteLine($"{"",-8} {"training set",-24} {"generated",-24} {"error E (Eq. 34)",16}");
        Console.WriteLine($"{"p1",-8} {Stat(r.Real.P1),-24} {Stat(r.Fake.P1),-24} {r.ErrorP1,16:F4}");
        Console.WriteLine($"{"p2",-8} {"S2(r), r = 0.." + r.Real.Radii[^1],-24} {"",-24} {r.ErrorP2,16:F4}");
        Console.WriteLine($"{"C11",-8} {Stat(r.Real.C11),-24} {Stat(r.Fake.C11),-24} {(double.IsNaN(r.ErrorC11) ? "-" : r.ErrorC11.ToString("F4", CultureInfo.InvariantCulture)),16}");
    }

    /// <summary>Phase maps of every volume of a folder (all cubes of one size).</summary>
    private static (List<byte[]> Phases, int Size) ReadSet(string dir, double? threshold)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such folder");
        var volumes = VolumeFile.Expand([dir]).Select(f => VolumeFile.Read(f)).ToList();
        var first = volumes[0];
        foreach (var v in volumes)
            if (v.D != v.H || v.H != v.W || v.D != first.D)
                throw new ShapeException($"{v.Source}: {v.D}x{v.H}x{v.W}; every volume of {dir} must be a cube of the size of {first.Source} ({first.D}^3)");
        bool binary = volumes.All(v => v.IsBinary);
        double t = threshold ?? (binary ? 0.5 : (volumes.Min(v => v.Values.Min()) + volumes.Max(v => v.Values.Max())) / 2.0);
        return (volumes.Select(v => v.Binarize(t)).ToList(), first.D);
    }
}
