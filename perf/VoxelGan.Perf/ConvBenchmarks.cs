using BenchmarkDotNet.Attributes;
using VoxelGan.Autograd;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// Forward + backward of the first-block convolutions at the paper's 32^3 configuration (batch 8,
/// nDf 16, nGf 32): the critic's first 3x3x3 convolution 1 -> 16 channels at 32^3, and the generator's
/// first transposed convolution 256 -> 128 channels, 2^3 -> 4^3 (k 3, stride 2, 'same'). Peer: the
/// same layers in float64 (the gradient-check precision), to show what double precision costs here.
/// </summary>
public class ConvBenchmarks
{
    private Var _criticInput = null!, _generatorInput = null!, _criticInput64 = null!;
    private Conv3d _critic = null!, _critic64 = null!;
    private ConvTranspose3d _generator = null!;

    [GlobalSetup]
    public void Setup()
    {
        var d = BenchDevice.Instance;
        var rng = new RandomGenerator(1);
        _critic = new Conv3d(1, 16, 3, rng, device: d);
        _critic64 = new Conv3d(1, 16, 3, rng, dtype: DType.Float64, device: d);
        _generator = ConvTranspose3d.Same(256, 128, 3, 2, rng, device: d);
        _criticInput = new Var(Ops.Normal(new Shape(8, 1, 32, 32, 32), rng, device: d).Detach(), requiresGrad: true);
        _criticInput64 = new Var(Ops.Normal(new Shape(8, 1, 32, 32, 32), rng, dtype: DType.Float64, device: d).Detach(), requiresGrad: true);
        _generatorInput = new Var(Ops.Normal(new Shape(8, 256, 2, 2, 2), rng, device: d).Detach(), requiresGrad: true);
    }

    private static void Step(Layer layer, Var x)
    {
        using var scope = TensorScope.Begin();
        Functional.Sum(layer.Forward(x)).Backward();
        BenchDevice.Sync();
        layer.ZeroGrad();
        x.ZeroGrad();
    }

    [Benchmark(Baseline = true)] public void CriticConv3dForwardBackward() => Step(_critic, _criticInput);
    [Benchmark] public void CriticConv3dForwardBackwardFloat64() => Step(_critic64, _criticInput64);
    [Benchmark] public void GeneratorConvTranspose3dForwardBackward() => Step(_generator, _generatorInput);

    [Benchmark]
    public void CriticConv3dForwardOnly()
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        _critic.Forward(_criticInput);
        BenchDevice.Sync();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _critic.Dispose(); _critic64.Dispose(); _generator.Dispose();
        _criticInput.Dispose(); _criticInput64.Dispose(); _generatorInput.Dispose();
    }
}
