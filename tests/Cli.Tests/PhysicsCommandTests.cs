using System.Text.Json;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Tests;

/// <summary><c>voxelgan homogenize</c> and <c>voxelgan correlate</c> as a user runs them.</summary>
public sealed class PhysicsCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-physics-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_dir.FullName, name);

    /// <summary>Layers normal to array axis 0: phase 1 in the first <paramref name="thick"/> of <paramref name="d"/> slices.</summary>
    private string Laminate(string name, int d, int h, int w, int thick)
    {
        var phases = new byte[d * h * w];
        for (int i = 0; i < phases.Length; i++) phases[i] = (byte)(i / (h * w) < thick ? 1 : 0);
        NpyFile.Write(Path(name), phases, d, h, w);
        return Path(name);
    }

    [Fact]
    public void HomogenizeReproducesTheLaminateClosedFormThroughJson()
    {
        var file = Laminate("laminate.npy", 6, 4, 5, 2);
        var (code, output, err) = CliTests.Run("homogenize", file, "--json", "--tol", "1e-8", "--device", "cpu");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        var c = json.RootElement.GetProperty("C").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        double f = 2 / 6.0;
        (double L, double Mu) Lame(double e, double nu) => (e * nu / ((1 + nu) * (1 - 2 * nu)), e / (2 * (1 + nu)));
        var (l1, m1) = Lame(1e4, 0.1);
        var (l0, m0) = Lame(1e3, 0.4);
        double Avg(Func<double, double, double> g) => f * g(l1, m1) + (1 - f) * g(l0, m0);
        double cNormal = 1 / Avg((l, m) => 1 / (l + 2 * m));
        double cInPlane = Avg((l, m) => 4 * m * (l + m) / (l + 2 * m)) + Math.Pow(Avg((l, m) => l / (l + 2 * m)), 2) * cNormal;
        Assert.Equal(cNormal, c[0][0], cNormal * 1e-6);
        Assert.Equal(cInPlane, c[1][1], cInPlane * 1e-6);
        Assert.Equal(Avg((_, m) => m), c[3][3], Avg((_, m) => m) * 1e-6); // C44: shear 23 lies in the layer plane
        Assert.Equal(6, json.RootElement.GetProperty("iterations").GetArrayLength());
        Assert.All(json.RootElement.GetProperty("residuals").EnumerateArray(), r => Assert.True(r.GetDouble() < 1e-8));
        Assert.True(json.RootElement.GetProperty("seconds").GetDouble() > 0);
    }

    [Fact]
    public void HomogenizeTakesAFolderAndPrintsOneTablePerFile()
    {
        Laminate("a.npy", 4, 4, 4, 1);
        Laminate("b.npy", 4, 4, 4, 3);
        var (code, output, err) = CliTests.Run("homogenize", _dir.FullName, "--scheme", "basic", "--load", "33", "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("a.npy: 4x4x4", output);
        Assert.Contains("b.npy: 4x4x4", output);
        Assert.Contains("column 33 only", output);
        Assert.Contains("homogenize [", err); // progress over the files
    }

    [Fact]
    public void CorrelateWritesP1AndS2ToCsv()
    {
        var file = Laminate("layers.npy", 8, 8, 8, 4);
        var (code, output, err) = CliTests.Run("correlate", file, "--csv", Path("s2.csv"), "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("p1 0.500000", output);
        var rows = File.ReadAllLines(Path("s2.csv"));
        Assert.StartsWith("r,", rows[0]);
        Assert.Equal("0", rows[1].Split(',')[0]);
        Assert.Equal(0.5, double.Parse(rows[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(1 + 5, rows.Length); // header, then r = 0..4 (edge / 2)
    }

    [Fact]
    public void AConstantVolumeIsOnePhaseInCorrelateHomogenizeAndEvaluateAlike()
    {
        // All ones: the midpoint of the value range (1) would put every voxel in phase 0 for correlate,
        // while homogenize reads the labels as phase 1; the one threshold rule keeps 0/1 data at 0.5.
        var file = Laminate("ones.npy", 6, 6, 6, 6);
        var (code, output, err) = CliTests.Run("correlate", file, "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("p1 1.000000", output);
        (code, output, err) = CliTests.Run("homogenize", file, "--load", "11", "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("phase fractions 0.0000, 1.0000", output);
        Directory.CreateDirectory(Path("set"));
        File.Copy(file, Path(System.IO.Path.Combine("set", "ones.npy")));
        (code, _, err) = CliTests.Run("evaluate", "--real", Path("set"), "--fake", Path("set"), "--homogenize", "0", "--device", "cpu");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path(System.IO.Path.Combine("set", "evaluation.json"))));
        Assert.Equal(1.0, json.RootElement.GetProperty("p1").GetProperty("real").GetDouble());
    }

    [Fact]
    public void ErrorsAreOneLineWithoutStackTracesAndArgumentErrorsGiveAHint()
    {
        // An unchecked limit used to escape as a stack trace; parse errors used to print the whole help.
        var (code, output, err) = CliTests.Run("spheres", "--size", "100000", "--count", "1", "--out", Path("big"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains("exceed the limit", err);
        Assert.DoesNotContain("   at ", err);
        (code, _, err) = CliTests.Run("fibres", "--size", "5000", "--out", Path("big.npy"));
        Assert.Equal(1, code);
        Assert.Contains("exceed the limit", err);
        Assert.DoesNotContain("   at ", err);
        (code, output, err) = CliTests.Run("info", "--bogus");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(["error: Unrecognized command or argument '--bogus'.", "hint: voxelgan info --help lists the options"], err.Trim().Split('\n'));
    }

    [Fact]
    public void AnUnreachableToleranceIsRefusedAndTheIterationLimitIsAnOption()
    {
        var file = Laminate("tol.npy", 8, 8, 8, 3);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, err) = CliTests.Run("homogenize", file, "--tol", "1e-300", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains("beyond what float64 reaches", err);
        Assert.True(clock.Elapsed.TotalSeconds < 60, "refused at once, not after many minutes");
        (code, _, err) = CliTests.Run("homogenize", file, "--scheme", "basic", "--max-iterations", "2", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains("in 2 iterations", err);
        Assert.Contains("--max-iterations", err);
    }

    [Fact]
    public void BadVolumesAreClearErrors()
    {
        NpyFile.Write(Path("flat.npy"), new byte[16], 4, 4);
        NpyFile.Write(Path("grey.npy"), Enumerable.Range(0, 8).Select(i => i / 10f).ToArray(), 2, 2, 2);
        NpyFile.Write(Path("three.npy"), new byte[] { 0, 1, 2, 0, 0, 0, 0, 0 }, 2, 2, 2);
        File.WriteAllText(Path("text.npy"), "hello");
        // A complex64 array: a dtype no volume can have.
        var header = "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2, 2), }".PadRight(64 - 11) + "\n";
        File.WriteAllBytes(Path("complex.npy"), [0x93, .. "NUMPY"u8.ToArray(), 1, 0, (byte)header.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(header), .. new byte[64]]);
        File.WriteAllBytes(Path("v.raw"), new byte[7]);
        var cases = new (string[] Args, string Message)[]
        {
            (["homogenize", Path("flat.npy")], "a volume is a 3D array, this one has shape (4, 4)"),
            (["homogenize", Path("grey.npy")], "not a phase label 0..1; pass --threshold"),
            (["homogenize", Path("three.npy")], "more phases than the 2 material(s) given"),
            (["homogenize", Path("text.npy")], "not a .npy file"),
            (["homogenize", Path("complex.npy")], "unsupported dtype '<c8'"),
            (["homogenize", Path("missing.npy")], "no such file or folder"),
            (["homogenize", Path("v.raw"), "--dims", "2,2,2"], "need 8 bytes, the file has 7"),
            (["homogenize", Path("three.npy"), "--scheme", "fast"], "--scheme must be cg or basic"),
            (["homogenize", Path("three.npy"), "--phase-e", "1,2,3"], "--phase-e gives 3 phase(s) but --phase-nu gives 2"),
            (["homogenize", Path("three.npy"), "--phase-e", "0,1e4"], "pores"),
            (["correlate", Path("flat.npy")], "a volume is a 3D array"),
        };
        foreach (var (args, message) in cases)
        {
            var (code, _, err) = CliTests.Run([.. args, "--device", "cpu"]);
            Assert.True(code == 1, $"{string.Join(' ', args)} exited {code}: {err}");
            Assert.Contains(message, err);
            Assert.DoesNotContain("   at ", err);
        }
    }
}
