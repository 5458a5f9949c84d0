using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VoxelGan.Fft;
using VoxelGan.Gan.Data;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan homogenize VOLUME...</c>: effective stiffness of phase-map volumes by FFT homogenization.</summary>
internal static class HomogenizeCommand
{
    private static readonly string[] LoadNames = ["11", "22", "33", "23", "13", "12"];

    public static Command Create()
    {
        var volumes = VolumeOptions.Paths();
        var e = new Option<string>("--phase-e") { Description = "Young's modulus per phase, comma-separated (phase 0 first)", DefaultValueFactory = _ => "1e3,1e4" };
        var nu = new Option<string>("--phase-nu") { Description = "Poisson's ratio per phase, comma-separated", DefaultValueFactory = _ => "0.4,0.1" };
        var scheme = new Option<string>("--scheme") { Description = "cg (conjugate gradients) or basic (Moulinec-Suquet)", DefaultValueFactory = _ => "cg" };
        var defaults = new HomogenizationOptions();
        var tol = new Option<double>("--tol") { Description = $"relative equilibrium residual to reach (at least {HomogenizationOptions.MinTolerance})", DefaultValueFactory = _ => defaults.Tolerance };
        var maxIterations = new Option<int>("--max-iterations") { Description = "give up on a load case after this many iterations", DefaultValueFactory = _ => defaults.MaxIterations };
        var load = new Option<string>("--load") { Description = "one load case (11, 22, 33, 23, 13, 12) or all for the 6x6 stiffness", DefaultValueFactory = _ => "all" };
        var json = new Option<bool>("--json") { Description = "print JSON (C, iterations, residuals, seconds per file) instead of tables" };
        var threshold = VolumeOptions.Threshold("binarize grey values: above T is phase 1 (default: the volume must hold phase labels 0, 1, ...)");
        var (dims, rawType) = (VolumeOptions.Dims(), VolumeOptions.RawType());
        var command = new Command("homogenize", "Effective elastic stiffness (Voigt 6x6, engineering shear) of volumes by FFT homogenization.")
            { volumes, e, nu, scheme, tol, maxIterations, load, json, threshold, dims, rawType };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var materials = Materials(parse.GetValue(e)!, parse.GetValue(nu)!);
            var options = new HomogenizationOptions
            {
                Scheme = parse.GetValue(scheme) switch
                {
                    "cg" => HomogenizationScheme.ConjugateGradient,
                    "basic" => HomogenizationScheme.Basic,
                    var s => throw new ArgumentException($"--scheme must be cg or basic, got '{s}'"),
                },
                Tolerance = parse.GetValue(tol),
                MaxIterations = parse.GetValue(maxIterations),
            };
            try { options.Validate(); }
            catch (ArgumentException ex) { throw new ArgumentException($"--tol {parse.GetValue(tol)} / --max-iterations {parse.GetValue(maxIterations)}: {ex.Message}"); }
            string loadCase = parse.GetValue(load)!;
            int single = loadCase == "all" ? -1 : Array.IndexOf(LoadNames, loadCase);
            if (loadCase != "all" && single < 0) throw new ArgumentException($"--load must be one of 11, 22, 33, 23, 13, 12 or all, got '{loadCase}'");
            var files = VolumeFile.Expand(parse.GetValue(volumes)!);
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                var results = new List<object>();
                using var progress = new ConsoleProgress("homogenize", files.Count * (single < 0 ? 6 : 1));
                for (int f = 0; f < files.Count; f++)
                {
                    var volume = VolumeFile.Read(files[f], parse.GetValue(dims), parse.GetValue(rawType)!);
                    var phases = volume.Phases(materials.Length, parse.GetValue(threshold));
                    using var solver = new Homogenizer(phases, volume.D, volume.H, volume.W, materials, options, device);
                    int doneBefore = f * (single < 0 ? 6 : 1);
                    HomogenizationResult result;
                    try
                    {
                        string name = Path.GetFileName(files[f]);
                        result = solver.Stiffness(new SyncProgress<int>(n => progress.Report(doneBefore + n, name)),
                            single < 0 ? null : [single],
                            new SyncProgress<SolverStatus>(st => progress.Report(doneBefore + (single < 0 ? st.LoadCase : 0),
                                FormattableString.Invariant($"{name} load {LoadNames[st.LoadCase]}: iteration {st.Iteration}, residual {st.Residual:E2}"))));
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new ArgumentException($"{files[f]}: {ex.Message}");
                    }
                    if (parse.GetValue(json)) results.Add(ToJson(files[f], solver, result, single));
                    else Print(files[f], volume, solver, result, single);
                }
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(files.Count == 1 ? results[0] : results, new JsonSerializerOptions { WriteIndented = true }));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Parses --phase-e/--phase-nu into materials, one per phase.</summary>
    internal static IsotropicMaterial[] Materials(string e, string nu)
    {
        double[] Parse(string s, string name) => s.Split(',').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            ? x : throw new ArgumentException($"{name}: '{v}' is not a number")).ToArray();
        var es = Parse(e, "--phase-e");
        var nus = Parse(nu, "--phase-nu");
        if (es.Length != nus.Length) throw new ArgumentException($"--phase-e gives {es.Length} phase(s) but --phase-nu gives {nus.Length}");
        return es.Zip(nus, (a, b) => new IsotropicMaterial(a, b)).ToArray();
    }

    private static object ToJson(string file, Homogenizer solver, HomogenizationResult r, int single) => new
    {
        file,
        shape = new[] { solver.D, solver.H, solver.W },
        volume_fractions = solver.VolumeFractions,
        scheme = solver.Options.Scheme == HomogenizationScheme.Basic ? "basic" : "cg",
        tolerance = solver.Options.Tolerance,
        loads = single < 0 ? LoadNames : [LoadNames[single]],
        // With one load case only its column is known; the others are null rather than a misleading 0.
        C = Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 6).Select(j => single < 0 || j == single ? r.Stiffness[i, j] : (double?)null).ToArray()).ToArray(),
        iterations = r.LoadCases.Select(c => c.Iterations).ToArray(),
        residuals = r.LoadCases.Select(c => c.Residual).ToArray(),
        seconds = r.Seconds,
    };

    private static void Print(string file, Volume volume, Homogenizer solver, HomogenizationResult r, int single)
    {
        Console.WriteLine($"{file}: {volume.D}x{volume.H}x{volume.W}, phase fractions {string.Join(", ", solver.VolumeFractions.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"effective stiffness (Voigt 11,22,33,23,13,12, engineering shear){(single >= 0 ? $", column {LoadNames[single]} only" : "")}:");
        for (int i = 0; i < 6; i++)
        {
            var row = Enumerable.Range(0, 6).Select(j => single < 0 || j == single ? r.Stiffness[i, j].ToString("F3", CultureInfo.InvariantCulture).PadLeft(12) : "-".PadLeft(12));
            Console.WriteLine($"  {LoadNames[i]} {string.Concat(row)}");
        }
        Console.WriteLine($"iterations {string.Join(" ", r.LoadCases.Select(c => c.Iterations))}, residuals {string.Join(" ", r.LoadCases.Select(c => c.Residual.ToString("E2", CultureInfo.InvariantCulture)))}, {r.Seconds:F2} s");
    }
}
