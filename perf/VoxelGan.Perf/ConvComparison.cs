using System.Diagnostics;
using System.Text.Json;
using VoxelGan.Autograd;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// <c>compare-conv</c>: times forward+backward of the critic's and the generator's first-block
/// convolutions (batch 8, 32^3, nDf 16, nGf 32) in VoxelGan and in PyTorch (<c>perf/peers/conv_bench.py</c>,
/// 2 threads) in the same run, and prints the ratio. Median of 3 calls after one warm-up.
/// </summary>
internal static class ConvComparison
{
    public static void Run(string repoRoot)
    {
        var d = BenchDevice.Instance;
        var rng = new RandomGenerator(1);
        using var critic = new Conv3d(1, 16, 3, rng, device: d);
        using var generator = ConvTranspose3d.Same(256, 128, 3, 2, rng, device: d);
        using var x = new Var(Ops.Normal(new Shape(8, 1, 32, 32, 32), rng, device: d).Detach(), requiresGrad: true);
        using var z = new Var(Ops.Normal(new Shape(8, 256, 2, 2, 2), rng, device: d).Detach(), requiresGrad: true);
        double ours1 = Median(() => Step(critic, x)), ours2 = Median(() => Step(generator, z));

        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(repoRoot, "perf", "peers", "conv_bench.py"));
        psi.ArgumentList.Add("2");
        Dictionary<string, JsonElement>? peer = null;
        try
        {
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode == 0) peer = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(output);
            else Console.Error.WriteLine($"peer failed: {p.StandardError.ReadToEnd().Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine("peer unavailable: /usr/bin/python3 not found (apt-get install python3-torch)");
        }
        Console.WriteLine($"device: {d}");
        Console.WriteLine($"{"case",-42} {"VoxelGan s",12} {"PyTorch s",12} {"ratio",8}");
        Row("critic Conv3d 1->16 k3, 8x1x32^3, fwd+bwd", ours1, peer?["critic_conv3d_fwd_bwd"].GetDouble());
        Row("generator ConvT3d 256->128 k3 s2, 8x256x2^3", ours2, peer?["generator_convtranspose3d_fwd_bwd"].GetDouble());
        if (peer is not null) Console.WriteLine($"peer: torch {peer["torch"]} with {peer["threads"]} threads");
    }

    private static void Row(string name, double ours, double? theirs) =>
        Console.WriteLine($"{name,-42} {ours,12:F4} {(theirs is double t ? t.ToString("F4") : "n/a"),12} {(theirs is double u ? (ours / u).ToString("F1") + "x" : ""),8}");

    private static void Step(Layer layer, Var input)
    {
        using var scope = TensorScope.Begin();
        Functional.Sum(layer.Forward(input)).Backward();
        BenchDevice.Sync();
        layer.ZeroGrad();
        input.ZeroGrad();
    }

    private static double Median(Action a)
    {
        a();
        var times = new double[3];
        for (int i = 0; i < times.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            a();
            times[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[1];
    }
}
