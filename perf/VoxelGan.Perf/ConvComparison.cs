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
        double ours1 = PeerProcess.Median(() => Step(critic, x)), ours2 = PeerProcess.Median(() => Step(generator, z));

        var peer = PeerProcess.Run(repoRoot, "conv_bench.py", "2");
        Console.WriteLine($"device: {d}");
        Console.WriteLine($"{"case",-42} {"VoxelGan s",12} {"PyTorch s",12} {"ratio",8}");
        PeerProcess.Row("critic Conv3d 1->16 k3, 8x1x32^3, fwd+bwd", ours1, peer?["critic_conv3d_fwd_bwd"].GetDouble());
        PeerProcess.Row("generator ConvT3d 256->128 k3 s2, 8x256x2^3", ours2, peer?["generator_convtranspose3d_fwd_bwd"].GetDouble());
        if (peer is not null) Console.WriteLine($"peer: torch {peer["torch"]} on {peer["device"]} with {peer["threads"]} threads");
    }

    private static void Step(Layer layer, Var input)
    {
        using var scope = TensorScope.Begin();
        Functional.Sum(layer.Forward(input)).Backward();
        BenchDevice.Sync();
        layer.ZeroGrad();
        input.ZeroGrad();
    }

}
