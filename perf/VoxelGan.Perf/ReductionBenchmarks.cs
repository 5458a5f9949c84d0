using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using BenchmarkDotNet.Attributes;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>Full sum and a per-channel sum of an NCDHW batch: VoxelGan vs TensorPrimitives.Sum.</summary>
public class ReductionBenchmarks
{
    private Tensor _x = null!;
    private float[] _hx = null!;

    [Params(1 << 14, 1 << 20)]
    public int N;

    [GlobalSetup]
    public void Setup()
    {
        _x = Ops.Normal(new Shape(N), new RandomGenerator(2), device: BenchDevice.Instance).Detach();
        _hx = _x.ToArray<float>();
    }

    [Benchmark(Baseline = true)] public float SumTensorPrimitives() => TensorPrimitives.Sum(_hx);
    [Benchmark] public double SumVoxelGan() { using var s = Ops.Sum(_x); return s.Item(); }

    [Benchmark]
    public void SumAxisVoxelGan()
    {
        // [N/256, 256] summed over the first axis: the bias-gradient pattern.
        using var v = _x.Reshape(-1, 256);
        using var s = Ops.Sum(v, 0);
        BenchDevice.Sync();
    }

    [GlobalCleanup] public void Cleanup() => _x.Dispose();
}
