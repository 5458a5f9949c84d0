using System.Diagnostics;
using System.Text.Json;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Tests;

/// <summary>The data, model, train, generate and evaluate commands as a user runs them, at tiny sizes.</summary>
public sealed class GanCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-gan-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string P(params string[] parts) => Path.Combine([_dir.FullName, .. parts]);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run([.. args, "--device", "cpu"]);

    private static string[] Tiny(string precision = "fp32", string sampleEvery = "1") =>
        ["--data", "spheres", "--data-count", "4", "--size", "8", "--ngf", "2", "--ndf", "2", "--batch-size", "2", "--precision", precision, "--sample-every", sampleEvery, "--checkpoint-every", "2"];

    private static readonly string[] TinyTraining = Tiny();

    [Fact]
    public void SpheresFibresAndSliceWriteTheirVolumes()
    {
        var (code, output, err) = Run("spheres", "--count", "3", "--size", "16", "--radius", "2", "--out", P("spheres"));
        Assert.True(code == 0, err);
        Assert.Equal(3, Directory.GetFiles(P("spheres"), "sphere_*.npy").Length);
        Assert.Contains("mean inclusion fraction 0.2", output);
        var a = NpyFile.Read(P("spheres", "sphere_0000.npy"));
        Assert.Equal("uint8", a.DType);
        Assert.Equal([16, 16, 16], a.Shape);

        (code, _, err) = Run("fibres", "--size", "24", "--length", "10", "--radius", "1.5", "--out", P("scan.tif"));
        Assert.True(code == 0, err);
        (code, output, err) = Run("slice", P("scan.tif"), "--size", "8", "--count", "5", "--out", P("subs"));
        Assert.True(code == 0, err);
        Assert.Equal(5, Directory.GetFiles(P("subs"), "sub_*.npy").Length);
        Assert.Contains("from", output);
    }

    [Fact]
    public void MixedPrecisionWithoutRecomputationTrainsSavesItsNameAndResumes()
    {
        var run = P("no-recompute");
        var (code, output, err) = Run(["train", "--out", run, "--iterations", "2", .. Tiny("mixed-no-recompute", "0")]);
        Assert.True(code == 0, err);
        Assert.Contains("mixed-no-recompute", output);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
            Assert.Equal("mixed_no_recompute", config.RootElement.GetProperty("train").GetProperty("precision").GetString());
        (code, _, err) = Run("train", "--resume", run, "--iterations", "3");
        Assert.True(code == 0, err);
        Assert.Equal(3, File.ReadLines(Path.Combine(run, "metrics.jsonl")).Count());
    }

    [Fact]
    public void ModelPrintsThePapersParameterCounts()
    {
        var (code, output, err) = Run("model", "--size", "32", "--ngf", "32", "--ndf", "16");
        Assert.True(code == 0, err);
        Assert.Contains("generator 1,616,161 trainable parameters", output);
        Assert.Contains("critic    3,579,537 trainable parameters", output);
        Assert.Contains("blocks.0.main.0", output);
    }

    [Fact]
    public void DemoTrainsGeneratesEvaluatesAndReportsTheDiversityVerdict()
    {
        // The README's main command at a tiny scale: every stage, and a report that names its recipe.
        var dir = P("demo");
        var (code, output, err) = Run("demo", "--out", dir, "--iterations", "4", "--size", "8");
        Assert.True(code == 0, err);
        foreach (var stage in new[] { "[1/4] training on 64", "[2/4]", "[3/4] generating 64", "[4/4] evaluating" }) Assert.Contains(stage, output);
        Assert.Equal(64, Directory.GetFiles(Path.Combine(dir, "generated", "phases"), "*.npy").Length);
        var report = File.ReadAllText(Path.Combine(dir, "report.md"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "evaluation.json")));
        string verdict = json.RootElement.GetProperty("diversity").GetProperty("verdict").GetString()!;
        Assert.Contains($"Verdict: {verdict}", report);
        Assert.Contains("orthogonal initialization with gain 2.5", report);
        Assert.Contains("minibatch standard-deviation channel over groups of 4", report);
        Assert.Contains("resize-convolutions (nearest upsampling + stride-1 convolution)", report);
        Assert.Contains("fraction penalty 0.3", report);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "config.json")));
        Assert.Equal("resize", config.RootElement.GetProperty("gan").GetProperty("upsampling").GetString(), ignoreCase: true);
        Assert.Contains("lr_D 0.0004, lr_G 0.0001", report);
        Assert.Contains("the authors' joint update", report);
        Assert.Contains("Training: 4 iterations", report);
    }

    [Fact]
    public void ReproduceTrainsResumesGeneratesEvaluatesAndComparesWithTable2()
    {
        // The paper's Table 2 pipeline at a tiny scale; a second call with more iterations resumes the run.
        var dir = P("reproduce");
        string[] tiny = ["reproduce", "--out", dir, "--size", "8", "--ngf", "2", "--ndf", "2", "--data-count", "6", "--volumes", "5", "--homogenize", "1", "--precision", "fp32"];
        var (code, output, err) = Run([.. tiny, "--iterations", "2"]);
        Assert.True(code == 0, err);
        Assert.Contains("[1/4] training 2 iterations on 6 sphere packings of 8^3", output);
        Assert.Contains("paper, Table 2: E_p1 4.660e-2, E_p2 2.786e-2, E_C11 7.266e-3", output);
        Assert.Equal(5, Directory.GetFiles(Path.Combine(dir, "generated", "phases"), "*.npy").Length);
        Assert.Equal(5, Directory.GetFiles(Path.Combine(dir, "real"), "*.npy").Length);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "evaluation.json"))))
        {
            double ep1 = json.RootElement.GetProperty("E_p1").GetDouble();
            var report = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains($"| E_p1 | 4.660e-2 | {ep1.ToString("0.000e+0", System.Globalization.CultureInfo.InvariantCulture)} |", report);
            Assert.Contains("Training: 2 of 2 iterations", report);
            Assert.Contains("- Recipe: the paper's.", report);
            Assert.Contains("| up to step |", report);
        }
        (code, output, err) = Run([.. tiny, "--iterations", "3"]);
        Assert.True(code == 0, err);
        Assert.Contains("[1/4] resuming", output);
        Assert.Contains("at step 2 of 3", output);
        Assert.Contains("Training: 3 of 3 iterations", File.ReadAllText(Path.Combine(dir, "report.md")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "run", "metrics.jsonl")).Length);
    }

    [Fact]
    public void ReproduceTakesTheRecipeOptionsOfTrain()
    {
        // The Table 2 pipeline with the demo's kind of recipe: the options reach the run's config.json and the report.
        var dir = P("reproduce-recipe");
        var (code, _, err) = Run(["reproduce", "--out", dir, "--size", "8", "--ngf", "2", "--ndf", "2", "--data-count", "8", "--volumes", "4", "--homogenize", "1",
            "--precision", "fp32", "--iterations", "2", "--init-gain", "2.5", "--init-interpolating", "--minibatch-std", "4", "--lr-d", "2e-4", "--lr-g", "1e-4"]);
        Assert.True(code == 0, err);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "config.json"))))
        {
            var gan = json.RootElement.GetProperty("gan");
            var train = json.RootElement.GetProperty("train");
            Assert.Equal(2.5, gan.GetProperty("init_gain").GetDouble());
            Assert.True(gan.GetProperty("interpolating_init").GetBoolean());
            Assert.Equal(4, gan.GetProperty("minibatch_std_group").GetInt32());
            Assert.Equal("growing", gan.GetProperty("topology").GetString());
            Assert.Equal(2e-4, train.GetProperty("learning_rate_critic").GetDouble());
            Assert.Equal(1e-4, train.GetProperty("learning_rate_generator").GetDouble());
            Assert.Equal(2, train.GetProperty("iterations").GetInt64());
        }
        var report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("- Recipe: the paper's except init gain 2.5, interpolating start, minibatch std over groups of 4.", report);
        Assert.Contains("lr_D 0.0002, lr_G 0.0001", report);
        // Resuming with another recipe is refused, naming what differs (the run keeps its own settings otherwise).
        (code, _, err) = Run(["reproduce", "--out", dir, "--size", "8", "--ngf", "2", "--ndf", "2", "--data-count", "8", "--volumes", "4", "--homogenize", "1",
            "--precision", "fp32", "--iterations", "3", "--init-gain", "2.5", "--init-interpolating", "--minibatch-std", "4", "--lr-d", "1e-4", "--lr-g", "1e-4"]);
        Assert.Equal(1, code);
        Assert.Contains("--lr-d 0.0002 in the run, 0.0001 given", err);
        // A value the statistic cannot take is refused by name before anything runs.
        (code, _, err) = Run(["reproduce", "--out", P("reproduce-bad"), "--size", "8", "--ngf", "2", "--ndf", "2", "--minibatch-std", "3"]);
        Assert.Equal(1, code);
        Assert.Contains("--minibatch-std", err);
    }

    [Fact]
    public void TrainResumeGenerateAndEvaluateRunEndToEnd()
    {
        var run = P("runs", "tiny");
        var (code, output, err) = Run(["train", "--out", run, "--iterations", "2", .. TinyTraining]);
        Assert.True(code == 0, err);
        Assert.Contains("done: 2 iterations", output);
        foreach (var f in new[] { "config.json", "metrics.jsonl", "latest.safetensors", "checkpoints/step_0000002.safetensors", "samples/step_0000001.png" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing");
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        var line = JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))[1]).RootElement;
        foreach (var key in new[] { "step", "critic_loss", "generator_loss", "gradient_penalty", "wasserstein", "fake_mean", "fake_std", "seconds" })
            Assert.True(line.TryGetProperty(key, out _), $"metrics.jsonl lacks {key}");

        (code, output, err) = Run("train", "--resume", run, "--iterations", "3");
        Assert.True(code == 0, err);
        Assert.Contains("resuming", output);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);

        // A run resumed in another process continues exactly like one that never stopped.
        var straight = P("runs", "straight");
        Assert.Equal(0, Run(["train", "--out", straight, "--iterations", "3", .. TinyTraining]).Code);
        static double[] Losses(string folder) => File.ReadAllLines(Path.Combine(folder, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("critic_loss").GetDouble()).ToArray();
        Assert.Equal(Losses(straight), Losses(run));

        (code, _, err) = Run("generate", Path.Combine(run, "latest.safetensors"), "--count", "3", "--out", P("gen"), "--vti");
        Assert.True(code == 0, err);
        Assert.Equal(3, Directory.GetFiles(P("gen", "phases")).Length);
        Assert.Equal(3, Directory.GetFiles(P("gen", "raw")).Length);
        Assert.Equal(3, Directory.GetFiles(P("gen", "vti")).Length);
        Assert.True(File.Exists(P("gen", "slices.png")));
        Assert.All(NpyFile.Read(P("gen", "phases", "sample_0000.npy")).Values, v => Assert.True(v is 0 or 1));

        Assert.Equal(0, Run("spheres", "--count", "3", "--size", "8", "--radius", "1.5", "--out", P("real")).Code);
        (code, output, err) = Run("evaluate", "--real", P("real"), "--fake", P("gen"), "--homogenize", "1");
        Assert.True(code == 0, err);
        Assert.True(File.Exists(P("gen", "s2.png")));
        using (var json = JsonDocument.Parse(File.ReadAllText(P("gen", "evaluation.json"))))
        {
            // The printed table and the file report the same errors, and E_p1 follows from the p1 values:
            // every generated volume's |p1_real - p1| / p1_real averages to at least |mean difference| / p1_real.
            var root = json.RootElement;
            double eP1 = root.GetProperty("E_p1").GetDouble(), realP1 = root.GetProperty("p1").GetProperty("real").GetDouble();
            Assert.Contains(FormattableString.Invariant($"{eP1:F4}"), output.Split('\n').Single(l => l.StartsWith("p1", StringComparison.Ordinal)));
            Assert.Contains(FormattableString.Invariant($"{root.GetProperty("E_p2").GetDouble():F4}"), output.Split('\n').Single(l => l.StartsWith("p2", StringComparison.Ordinal)));
            Assert.True(eP1 >= Math.Abs(realP1 - root.GetProperty("p1").GetProperty("fake").GetDouble()) / realP1 - 1e-12, $"E_p1 {eP1}");
            // The diversity check is printed and written: the verdict line, and per-generated-volume nearest distances.
            var diversity = root.GetProperty("diversity");
            Assert.Contains($"verdict  {diversity.GetProperty("verdict").GetString()}", output);
            Assert.Equal(3, diversity.GetProperty("nearest_training_distance").GetArrayLength());
        }

        // A set compared with copies of one of its volumes is error-free against itself: identical volumes
        // give E = 0 for p1, S2 and C11, and a set of other volumes does not.
        Directory.CreateDirectory(P("same"));
        for (int i = 0; i < 2; i++) File.Copy(P("real", "sphere_0000.npy"), P("same", $"copy_{i}.npy"));
        (code, output, err) = Run("evaluate", "--real", P("same"), "--fake", P("same"), "--homogenize", "1", "--out", P("same-eval"));
        Assert.True(code == 0, err);
        Assert.Contains("verdict  undecided", output);
        using (var json = JsonDocument.Parse(File.ReadAllText(P("same-eval", "evaluation.json"))))
            foreach (var key in new[] { "E_p1", "E_p2", "E_C11" }) Assert.Equal(0, json.RootElement.GetProperty(key).GetDouble());

        // generate never mixes two runs in one folder: a non-empty --out is refused, --overwrite replaces it.
        var latest = Path.Combine(run, "latest.safetensors");
        (code, _, err) = Run("generate", latest, "--count", "2", "--out", P("gen"));
        Assert.Equal(1, code);
        Assert.Contains("--overwrite", err);
        Assert.Equal(3, Directory.GetFiles(P("gen", "phases")).Length);
        (code, _, err) = Run("generate", latest, "--count", "2", "--out", P("gen"), "--overwrite");
        Assert.True(code == 0, err);
        Assert.Equal(2, Directory.GetFiles(P("gen", "phases")).Length);
        Assert.False(Directory.Exists(P("gen", "vti")));
        Assert.False(File.Exists(P("gen", "evaluation.json")));
        (code, _, err) = Run("generate", latest, "--count", "2", "--out", P("gen", "slices.png"));
        Assert.Equal(1, code);
        Assert.Contains("is a file", err);

        // Non-finite output (latents far beyond float32) is an error that leaves no volume behind.
        (code, _, err) = Run("generate", latest, "--count", "2", "--sigma", "1e300", "--out", P("gen-inf"));
        Assert.Equal(1, code);
        Assert.Contains("non-finite", err);
        Assert.Empty(Directory.Exists(P("gen-inf")) ? Directory.GetFiles(P("gen-inf"), "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void TrainWithResizeUpsamplingSavesItAndGenerateRebuildsTheModel()
    {
        var run = P("runs", "resize");
        var (code, _, err) = Run(["train", "--out", run, "--iterations", "2", "--upsampling", "resize", .. TinyTraining]);
        Assert.True(code == 0, err);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
            Assert.Equal("resize", config.RootElement.GetProperty("gan").GetProperty("upsampling").GetString());
        string output;
        (code, output, err) = Run("generate", Path.Combine(run, "latest.safetensors"), "--count", "2", "--out", P("resize-gen"));
        Assert.True(code == 0, err);
        Assert.True(File.Exists(P("resize-gen", "raw", "sample_0001.npy")), output);
        (code, _, err) = Run(["train", "--out", P("runs", "resize-bad"), "--iterations", "1", "--upsampling", "resize", "--init-interpolating", .. TinyTraining]);
        Assert.Equal(1, code);
        Assert.Contains("--upsampling resize", err);
        (code, _, err) = Run(["train", "--out", P("runs", "resize-bad2"), "--iterations", "1", "--upsampling", "bilinear", .. TinyTraining]);
        Assert.NotEqual(0, code);
        Assert.Contains("bilinear", err);
    }

    [Fact]
    public void TrainKeepsAnAverageDecaysTheRatesAndGenerateChoosesTheWeights()
    {
        var run = P("runs", "averaged");
        var (code, _, err) = Run(["train", "--out", run, "--iterations", "3", "--average-decay", "0.5", "--lr-decay", "0.5", "--minibatch-std", "2", .. TinyTraining]);
        Assert.True(code == 0, err);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            Assert.Equal(0.5, config.RootElement.GetProperty("train").GetProperty("average_decay").GetDouble());
            Assert.Equal(0.5, config.RootElement.GetProperty("train").GetProperty("learning_rate_decay").GetDouble());
            Assert.Equal(2, config.RootElement.GetProperty("gan").GetProperty("minibatch_std_group").GetInt32());
        }
        var latest = Path.Combine(run, "latest.safetensors");
        string output;
        (code, output, err) = Run("generate", latest, "--count", "2", "--out", P("avg"));
        Assert.True(code == 0, err);
        Assert.Contains("from the averaged weights", output);
        (code, output, err) = Run("generate", latest, "--count", "2", "--out", P("trained"), "--weights", "trained");
        Assert.True(code == 0, err);
        Assert.Contains("from the trained weights", output);
        Assert.NotEqual(NpyFile.Read(P("avg", "raw", "sample_0000.npy")).Values, NpyFile.Read(P("trained", "raw", "sample_0000.npy")).Values);

        (code, _, err) = Run(["train", "--out", P("runs", "bad"), "--iterations", "1", "--minibatch-std", "3", .. TinyTraining]);
        Assert.Equal(1, code);
        Assert.Contains("--minibatch-std", err);
        (code, _, err) = Run(["train", "--out", P("runs", "bad2"), "--iterations", "1", "--average-decay", "1", .. TinyTraining]);
        Assert.Equal(1, code);
        Assert.Contains("--average-decay", err);
    }

    [Fact]
    public async Task SigtermSavesACheckpointAndExitsCleanly()
    {
        var run = P("runs", "stopped");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(typeof(CliTests).Assembly.Location)!, "voxelgan.dll"));
        foreach (var a in (string[])["train", "--out", run, "--iterations", "100000", "--device", "cpu", .. Tiny(sampleEvery: "0")]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var metrics = Path.Combine(run, "metrics.jsonl");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Length >= 2) && clock.Elapsed < TimeSpan.FromSeconds(90) && !p.HasExited) Thread.Sleep(200);
        if (p.HasExited) Assert.Fail($"training ended before the signal: {await stderr}");
        await Process.Start("kill", ["-TERM", p.Id.ToString()])!.WaitForExitAsync();
        Assert.True(p.WaitForExit(60_000), "voxelgan train did not stop after SIGTERM");
        string err = await stderr, output = await stdout;
        Assert.True(p.ExitCode == 0, err);
        Assert.Contains("interrupted at step", output);
        Assert.True(File.Exists(Path.Combine(run, "latest.safetensors")));
    }

    [Fact]
    public void BadInputIsAClearErrorWithExitCode1()
    {
        NpyFile.Write(P("grey.npy"), Enumerable.Range(0, 512).Select(i => i / 512f).ToArray(), 8, 8, 8);
        NpyFile.Write(P("small", "b.npy"), Enumerable.Range(0, 64).Select(i => (byte)(i % 2)).ToArray(), 4, 4, 4);
        NpyFile.Write(P("cubes", "a.npy"), Enumerable.Range(0, 512).Select(i => (byte)(i % 3 == 0 ? 1 : 0)).ToArray(), 8, 8, 8);
        Assert.Equal(0, Run(["train", "--out", P("runs", "exists"), "--iterations", "1", .. TinyTraining]).Code);
        var cases = new (string[] Args, string Message)[]
        {
            (["model", "--size", "48"], "volume size 48 is not a power of two"),
            (["train", "--out", P("r1"), "--data", P("nothing"), "--size", "8"], "no such"),
            (["train", "--out", P("r2"), "--data", P("cubes"), "--size", "16"], "holds 8^3 volumes but --size is 16"),
            (["train", "--out", P("runs", "exists"), .. TinyTraining], "already holds a run"),
            (["train", "--resume", P("nowhere")], "no config.json"),
            (["train", "--out", P("r3"), .. Tiny(precision: "fp8")], "unknown precision 'fp8'"),
            (["generate", P("missing.safetensors"), "--out", P("g")], "no such checkpoint"),
            (["slice", P("grey.npy"), "--size", "4", "--count", "2", "--out", P("s")], "not binary"),
            (["slice", P("cubes", "a.npy"), "--size", "9", "--count", "2", "--out", P("s")], "do not fit"),
            (["spheres", "--count", "0", "--out", P("s")], "--count must be positive"),
            (["evaluate", "--real", P("nowhere"), "--fake", P("cubes")], "no such folder"),
            (["evaluate", "--real", P("cubes"), "--fake", P("small")], "differ in size"),
            (["train", "--out", P("r4"), "--data", "spheres", "--size", "12"], "volume size 12 is not a power of two"),
            (["generate", P("missing.safetensors"), "--count", "0", "--out", P("g")], "--count must be positive"),
            (["fibres", "--fraction", "0.9", "--size", "8", "--out", P("f.npy")], "fibre fraction must lie in (0, 0.6)"),
            (["spheres", "--count", "1", "--size", "8", "--radius", "5", "--out", P("s")], "must be positive and fit"),
        };
        foreach (var (args, message) in cases)
        {
            var (code, _, err) = Run(args);
            Assert.True(code == 1, $"{string.Join(' ', args)} exited {code}: {err}");
            Assert.Contains(message, err);
            Assert.DoesNotContain("   at ", err);
        }
    }
}
