using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>Square float32 matrix products: VoxelGan's reference kernel vs MathNet (managed provider) on the same matrices.</summary>
public class MatMulBenchmarks
{
    private Tensor _a = null!, _b = null!;
    private Matrix<float> _ma = null!, _mb = null!;

    [Params(64, 128, 256)]
    public int Size;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new RandomGenerator(3);
        _a = Ops.Normal(new Shape(Size, Size), rng, device: BenchDevice.Instance).Detach();
        _b = Ops.Normal(new Shape(Size, Size), rng, device: BenchDevice.Instance).Detach();
        _ma = Matrix<float>.Build.Dense(Size, Size, _a.ToArray<float>()).Transpose(); // row-major data, column-major storage
        _mb = Matrix<float>.Build.Dense(Size, Size, _b.ToArray<float>()).Transpose();
    }

    [Benchmark(Baseline = true)] public Matrix<float> MathNet() => _ma * _mb;
    [Benchmark] public void VoxelGan() { using var c = Ops.MatMul(_a, _b); BenchDevice.Sync(); }
    [Benchmark] public void VoxelGanTransposedB() { using var c = Ops.MatMul(_a, _b, transposeB: true); BenchDevice.Sync(); }

    [GlobalCleanup] public void Cleanup() { _a.Dispose(); _b.Dispose(); }
}
