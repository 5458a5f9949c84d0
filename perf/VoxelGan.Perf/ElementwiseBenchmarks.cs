using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using BenchmarkDotNet.Attributes;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>Broadcast-free binary add and a unary tanh: VoxelGan kernels vs TensorPrimitives (SIMD, host) on the same sizes.</summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private Tensor _a = null!, _b = null!;
    private float[] _ha = null!, _hb = null!, _hy = null!;

    [Params(1 << 14, 1 << 20)]
    public int N;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new RandomGenerator(1);
        _a = Ops.Normal(new Shape(N), rng, device: BenchDevice.Instance).Detach();
        _b = Ops.Normal(new Shape(N), rng, device: BenchDevice.Instance).Detach();
        _ha = _a.ToArray<float>(); _hb = _b.ToArray<float>(); _hy = new float[N];
    }

    [Benchmark(Baseline = true)] public void AddTensorPrimitives() => TensorPrimitives.Add(_ha, _hb, _hy);
    [Benchmark] public void AddVoxelGan() { using var y = Ops.Add(_a, _b); BenchDevice.Sync(); }
    [Benchmark] public void TanhTensorPrimitives() => TensorPrimitives.Tanh(_ha, _hy);
    [Benchmark] public void TanhVoxelGan() { using var y = Ops.Tanh(_a); BenchDevice.Sync(); }

    [GlobalCleanup] public void Cleanup() { _a.Dispose(); _b.Dispose(); }
}
