using VoxelGan.Autograd;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// <c>compare-conv</c>: forward, and forward+backward (input and weight gradients), of the paper's
/// critic and generator convolutions at 32^3 (batch 8) in VoxelGan and in PyTorch
/// (<c>perf/peers/conv_bench.py</c>, 2 threads, oneDNN on a CPU) on the same shapes in the same run. The resize rows are
/// <c>--upsampling resize</c>'s pair (nearest upsampling by 2, then a kernel-3 convolution), which VoxelGan runs fused
/// (<see cref="Functional.UpsampleConv3d"/>) and also times layer by layer (the reference it must match).
/// </summary>
internal static class ConvComparison
{
    /// <summary>One layer: kind (conv, convt or resize), channels, kernel, stride, padding, output padding, batch and input edge.</summary>
    private sealed record Spec(string Kind, int Cin, int Cout, int K, int S, int P, int Op, int Batch, int Size)
    {
        public override string ToString() => $"{Kind}:{Cin}:{Cout}:{K}:{S}:{P}:{Op}:{Batch}:{Size}";

        public string Label => $"{Kind switch { "conv" => "Conv3d", "convt" => "ConvT3d", _ => "Up2+Conv3d" }} {Cin}->{Cout} k{K} s{S}, {Batch}x{Cin}x{Size}^3";

        /// <summary>Multiply-adds of the forward pass, times two.</summary>
        public double Flops
        {
            get
            {
                long inVoxels = (long)Size * Size * Size;
                // Counted as the composition computes them (on the upsampled grid), as the peer does.
                long outVoxels = Kind switch { "conv" => (long)Math.Pow((Size + 2 * P - K) / S + 1, 3), "resize" => 8 * inVoxels, _ => inVoxels };
                return 2.0 * Batch * outVoxels * Cin * Cout * K * K * K;
            }
        }
    }

    private static readonly Spec[] Layers =
    [
        new("conv", 1, 16, 3, 1, 1, 0, 8, 32),   // critic block 1, first conv
        new("conv", 16, 16, 3, 1, 1, 0, 8, 32),  // critic block 1, second conv (the hottest layer)
        new("conv", 16, 32, 3, 1, 1, 0, 8, 16),  // critic block 2
        new("conv", 64, 128, 3, 1, 1, 0, 8, 4),  // critic block 4
        new("convt", 256, 128, 3, 2, 1, 1, 8, 2), // generator block 1
        new("convt", 64, 32, 3, 2, 1, 1, 8, 8),  // generator block 3
        new("convt", 32, 1, 3, 2, 1, 1, 8, 16),  // generator output layer
        new("convt", 256, 32, 1, 16, 0, 15, 8, 2), // generator skip path to 32^3
        new("resize", 256, 128, 3, 1, 1, 0, 8, 2), // --upsampling resize: generator block 1
        new("resize", 64, 32, 3, 1, 1, 0, 8, 8),   // block 3
        new("resize", 32, 1, 3, 1, 1, 0, 8, 16),   // output layer
    ];

    public static void Run(string repoRoot)
    {
        var d = BenchDevice.Instance;
        var rng = new RandomGenerator(1);
        var ours = new List<(Spec Spec, double Forward, double Both, double? Unfused)>();
        foreach (var spec in Layers)
        {
            using Layer layer = spec.Kind switch
            {
                "conv" => new Conv3d(spec.Cin, spec.Cout, spec.K, rng, stride: spec.S, padding: spec.P, device: d),
                "convt" => new ConvTranspose3d(spec.Cin, spec.Cout, spec.K, rng, stride: spec.S, padding: spec.P, outputPadding: spec.Op, device: d),
                _ => new Sequential(new Upsample3d(2), new Conv3d(spec.Cin, spec.Cout, spec.K, rng, device: d)),
            };
            using var x = new Var(Ops.Normal(new Shape(spec.Batch, spec.Cin, spec.Size, spec.Size, spec.Size), rng, device: d).Detach(), requiresGrad: true);
            double forward = PeerProcess.Median(() =>
            {
                using var scope = TensorScope.Begin();
                using (GradMode.NoGrad()) layer.Forward(x);
                BenchDevice.Sync();
            }, 5);
            double? unfused = layer is Sequential chain ? PeerProcess.Median(() => Step(chain, v => chain.Layers.Aggregate(v, (h, l) => l.Forward(h)), x)) : null;
            ours.Add((spec, forward, PeerProcess.Median(() => Step(layer, layer.Forward, x)), unfused));
        }
        var peer = PeerProcess.Run(repoRoot, "conv_bench.py", ["2", .. Layers.Select(l => l.ToString())]);
        Console.WriteLine($"device: {d}");
        Console.WriteLine($"{"case",-52} {"VoxelGan s",12} {"PyTorch s",12} {"ratio",8}  VoxelGan GFLOP/s");
        foreach (var (spec, forward, both, unfused) in ours)
        {
            PeerProcess.Row($"{spec.Label} fwd", forward, Get(peer, spec + "_fwd"), 52);
            PeerProcess.Row($"{spec.Label} fwd+bwd", both, Get(peer, spec + "_fwd_bwd"), 52);
            if (unfused is { } layerByLayer) PeerProcess.Row($"{spec.Label} fwd+bwd, layer by layer", layerByLayer, Get(peer, spec + "_fwd_bwd"), 52);
            if (Get(peer, spec + "_fwd_no_tf32") is { } strictForward)
            {
                PeerProcess.Row($"{spec.Label} fwd, peer TF32 off", forward, strictForward, 52);
                PeerProcess.Row($"{spec.Label} fwd+bwd, peer TF32 off", both, Get(peer, spec + "_fwd_bwd_no_tf32"), 52);
            }
            Console.WriteLine($"{"",-52} forward {spec.Flops / forward / 1e9,6:F1} GFLOP/s, fwd+bwd {3 * spec.Flops / both / 1e9,6:F1} GFLOP/s");
        }
        if (peer is not null) Console.WriteLine($"peer: torch {peer["torch"]} on {peer["device"]} with {peer["threads"]} threads");
    }

    private static double? Get(Dictionary<string, System.Text.Json.JsonElement>? peer, string key) =>
        peer is not null && peer.TryGetValue(key, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetDouble() : null;

    private static void Step(Layer layer, Func<Var, Var> forward, Var input)
    {
        using var scope = TensorScope.Begin();
        Functional.Sum(forward(input)).Backward();
        BenchDevice.Sync();
        layer.ZeroGrad();
        input.ZeroGrad();
    }
}
