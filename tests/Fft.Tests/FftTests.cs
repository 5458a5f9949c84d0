using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.IntegralTransforms;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Fft.Tests;

public class FftTests
{
    private static Device D => TestDevice.Instance;

    /// <summary>X_k = sum_t x_t exp(sign 2 pi i k t / n), in float64 on the host.</summary>
    private static Complex[] NaiveDft(Complex[] x, int sign)
    {
        int n = x.Length;
        var y = new Complex[n];
        for (int k = 0; k < n; k++)
            for (int t = 0; t < n; t++)
                y[k] += x[t] * Complex.FromPolarCoordinates(1, sign * 2 * Math.PI * ((long)k * t % n) / n);
        return y;
    }

    private static double[] Interleave(Complex[] c) => c.SelectMany(v => new[] { v.Real, v.Imaginary }).ToArray();

    private static Complex[] RandomComplex(Random rng, int n) =>
        Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1)).ToArray();

    [Fact]
    public void EveryLengthFrom1To65MatchesTheNaiveDft()
    {
        var rng = new Random(1);
        using var scope = TensorScope.Begin();
        for (int n = 1; n <= 65; n++)
        {
            var x = RandomComplex(rng, n);
            var t = Tensor.FromArray(Interleave(x), new Shape(n, 2), D);
            var forward = Fourier.Transform(t, 0).ToArray<double>();
            Approx.Equal(Interleave(NaiveDft(x, -1)), forward, 1e-11, 1e-11 * n, $"forward n={n}");
            var back = Fourier.Transform(Tensor.FromArray(forward, new Shape(n, 2), D), 0, inverse: true).ToArray<double>();
            Approx.Equal(Interleave(x), back, 1e-11, 1e-12 * n, $"round trip n={n}");
            var x32 = Tensor.FromArray(Interleave(x).Select(v => (float)v).ToArray(), new Shape(n, 2), D);
            Approx.Equal(Interleave(NaiveDft(x, -1)), Fourier.Transform(x32, 0).ToDoubleArray(), 1e-5, 2e-6 * n, $"float32 n={n}");
        }
    }

    [Property(MaxTest = 25)]
    public Property BatchedTransformsAlongAnyAxisMatchMathNet() => Prop.ForAll(
        (from d0 in Gen.Choose(1, 9) from d1 in Gen.Choose(1, 12) from d2 in Gen.Choose(1, 10)
         from axis in Gen.Choose(0, 2) from inverse in Gen.Elements(false, true) from seed in Gens.Seed
         select (dims: new[] { d0, d1, d2 }, axis, inverse, seed)).ToArbitrary(), c =>
    {
        var rng = new Random(c.seed);
        int total = c.dims[0] * c.dims[1] * c.dims[2];
        var x = RandomComplex(rng, total);
        var expected = (Complex[])x.Clone();
        int n = c.dims[c.axis], inner = c.dims.Skip(c.axis + 1).Aggregate(1, (a, b) => a * b), outer = total / (n * inner);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                var line = Enumerable.Range(0, n).Select(t => x[(o * n + t) * inner + i]).ToArray();
                if (c.inverse) MathNet.Numerics.IntegralTransforms.Fourier.Inverse(line, FourierOptions.AsymmetricScaling);
                else MathNet.Numerics.IntegralTransforms.Fourier.Forward(line, FourierOptions.Matlab);
                for (int t = 0; t < n; t++) expected[(o * n + t) * inner + i] = line[t];
            }
        using var scope = TensorScope.Begin();
        var result = VoxelGan.Fft.Fourier.Transform(Tensor.FromArray(Interleave(x), new Shape([.. c.dims, 2]), D), c.axis, c.inverse);
        Approx.Equal(Interleave(expected), result.ToArray<double>(), 1e-10, 1e-11 * n, $"{string.Join("x", c.dims)} axis {c.axis}");
    });

    [Fact]
    public void ThreeDimensionalTransformOfARealFieldIsHermitianAndInvertible()
    {
        using var scope = TensorScope.Begin();
        var real = Ops.Normal(new Shape(6, 5, 4), new RandomGenerator(3), dtype: DType.Float64, device: D);
        var spectrum = VoxelGan.Fft.Fourier.Transform3d(VoxelGan.Fft.Fourier.FromReal(real));
        var s = spectrum.ToArray<double>();
        // X(-k) = conj(X(k)) for a real field; X(0) = sum of the field.
        Assert.Equal(real.ToArray<double>().Sum(), s[0], 10);
        Assert.Equal(0, s[1], 10);
        int Idx(int a, int b, int c) => 2 * ((a * 5 + b) * 4 + c);
        Assert.Equal(s[Idx(1, 2, 3)], s[Idx(5, 3, 1)], 10);
        Assert.Equal(s[Idx(1, 2, 3) + 1], -s[Idx(5, 3, 1) + 1], 10);
        var back = VoxelGan.Fft.Fourier.RealPart(VoxelGan.Fft.Fourier.Transform3d(spectrum, inverse: true));
        Approx.Equal(real.ToArray<double>(), back.ToArray<double>(), 1e-12, 1e-12, "3D round trip");
    }

    [Fact]
    public void NonComplexInputIsAClearError()
    {
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<ShapeException>(() => VoxelGan.Fft.Fourier.Transform(Tensor.Zeros(new Shape(4, 3), device: D), 0));
        Assert.Contains("[4, 3]", e.Message);
        Assert.Equal(new[] { 2, 2, 3, 5, 61 }, VoxelGan.Fft.Fourier.Factor(2 * 2 * 3 * 5 * 61));
    }
}
