using VoxelGan.Tensors;
using VoxelGan.Tensors.Kernels;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class RandomTests
{
    private static Device D => TestDevice.Instance;

    [Fact]
    public void SameSeedSameNumbersAndTheStreamAdvances()
    {
        using var scope = TensorScope.Begin();
        var r1 = new RandomGenerator(42);
        var r2 = new RandomGenerator(42);
        var a = Ops.Normal(new Shape(100), r1, device: D).ToArray<float>();
        var b = Ops.Normal(new Shape(100), r2, device: D).ToArray<float>();
        Assert.Equal(a, b);
        var next = Ops.Normal(new Shape(100), r1, device: D).ToArray<float>();
        Assert.NotEqual(a, next);
        var other = Ops.Normal(new Shape(100), new RandomGenerator(43), device: D).ToArray<float>();
        Assert.NotEqual(a, other);
    }

    [Fact]
    public void UniformValuesAreTheHostCounterHash()
    {
        // Independent of device and launch width: element i is a function of (seed, i) alone.
        using var scope = TensorScope.Begin();
        var rng = new RandomGenerator(7);
        var t = Ops.Uniform(new Shape(1000), rng, -1, 3, DType.Float64, D).ToArray<double>();
        for (int i = 0; i < t.Length; i++) Assert.Equal(-1 + 4 * RandomKernels.Unit(7, (ulong)i), t[i]);
        Assert.All(t, v => Assert.InRange(v, -1, 3));
        Assert.Equal(1000UL, rng.Offset);
    }

    [Fact]
    public void NormalMomentsAreStandard()
    {
        using var scope = TensorScope.Begin();
        int n = 20000;
        var z = Ops.Normal(new Shape(n), new RandomGenerator(3), 2, 0.5, DType.Float64, D).ToArray<double>();
        double mean = z.Average(), variance = z.Select(v => (v - mean) * (v - mean)).Sum() / (n - 1);
        // 5 standard errors: mean se = 0.5/sqrt(n), variance se ~ 0.25*sqrt(2/n).
        Assert.InRange(mean, 2 - 5 * 0.5 / Math.Sqrt(n), 2 + 5 * 0.5 / Math.Sqrt(n));
        Assert.InRange(variance, 0.25 - 5 * 0.25 * Math.Sqrt(2.0 / n), 0.25 + 5 * 0.25 * Math.Sqrt(2.0 / n));
        // Tail mass beyond 2 sigma should be ~4.55 %.
        double tail = z.Count(v => Math.Abs(v - 2) > 1.0) / (double)n;
        Assert.InRange(tail, 0.0455 - 0.008, 0.0455 + 0.008);
    }

    [Fact]
    public void HalfAndSingleDrawsAgree()
    {
        using var scope = TensorScope.Begin();
        var f = Ops.Uniform(new Shape(50), new RandomGenerator(9), device: D).ToArray<float>();
        var h = Ops.Cast(Ops.Uniform(new Shape(50), new RandomGenerator(9), dtype: DType.Float16, device: D), DType.Float32).ToArray<float>();
        for (int i = 0; i < f.Length; i++) Assert.True(Math.Abs(f[i] - h[i]) <= 1e-3, $"{f[i]} vs {h[i]}");
    }
}
