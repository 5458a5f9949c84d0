using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Fft.Tests;

public class CorrelationTests
{
    private static Device D => TestDevice.Instance;

    [Theory]
    [InlineData(4, 5, 6, 0.3, 1)]
    [InlineData(6, 6, 6, 0.5, 2)]
    [InlineData(5, 4, 4, 0.1, 3)]
    public void TwoPointCorrelationMatchesTheBruteForceDoubleLoop(int d, int h, int w, double fraction, int seed)
    {
        var rng = new Random(seed);
        var phi = Enumerable.Range(0, d * h * w).Select(_ => rng.NextDouble() < fraction ? 1.0 : 0.0).ToArray();
        int maxR = Math.Min(d, Math.Min(h, w)) / 2;
        var sums = new double[maxR + 1];
        var counts = new int[maxR + 1];
        for (int a = 0; a < d; a++) for (int b = 0; b < h; b++) for (int c = 0; c < w; c++)
        {
            // S2(r) for r = (a, b, c): average over every x of phi(x) phi(x + r), periodic.
            double s = 0;
            for (int x = 0; x < d; x++) for (int y = 0; y < h; y++) for (int z = 0; z < w; z++)
                s += phi[(x * h + y) * w + z] * phi[((x + a) % d * h + (y + b) % h) * w + (z + c) % w];
            int da = Math.Min(a, d - a), db = Math.Min(b, h - b), dc = Math.Min(c, w - c);
            int bin = (int)Math.Round(Math.Sqrt(da * da + db * db + dc * dc), MidpointRounding.AwayFromZero);
            if (bin > maxR) continue;
            sums[bin] += s / (d * h * w);
            counts[bin]++;
        }
        using var scope = TensorScope.Begin();
        var result = Correlations.TwoPoint(Tensor.FromArray(phi, new Shape(d, h, w), D), 0.5);
        var expected = Enumerable.Range(0, maxR + 1).Where(r => counts[r] > 0).Select(r => sums[r] / counts[r]).ToArray();
        Approx.Equal(expected, result.S2, 1e-10, 1e-12, "S2");
        Assert.Equal(phi.Average(), result.P1, 12);
        Assert.Equal(result.P1, result.S2[0], 12); // S2(0) = p1
        Assert.Equal(phi.Average(), Correlations.VolumeFraction(Tensor.FromArray(phi, new Shape(d, h, w), D), 0.5), 12);
    }

    [Fact]
    public void RandomMediaDecorrelateToP1Squared()
    {
        using var scope = TensorScope.Begin();
        var u = Ops.Uniform(new Shape(24, 24, 24), new RandomGenerator(9), dtype: DType.Float64, device: D);
        var result = Correlations.TwoPoint(u, 0.7); // independent voxels, p1 ~ 0.3
        double p1 = result.P1;
        Assert.InRange(p1, 0.28, 0.32);
        foreach (var s in result.S2.Skip(1)) Assert.InRange(s, p1 * p1 - 0.01, p1 * p1 + 0.01);
    }

    [Fact]
    public void NonVolumesAreRejected()
    {
        using var scope = TensorScope.Begin();
        Assert.Contains("[4, 4]", Assert.Throws<ShapeException>(() => Correlations.TwoPoint(Tensor.Zeros(new Shape(4, 4), device: D), 0.5)).Message);
    }
}
