using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class CastTests
{
    private static Device D => TestDevice.Instance;

    [Property(MaxTest = 30)]
    public Property Float16RoundTripIsWithinHalfAnUlp() => Prop.ForAll(
        (from n in Gen.Choose(0, 200) from seed in Gens.Seed select (n, seed)).ToArbitrary(),
        c =>
        {
            // Normal fp16 range: |x| in [2^-14, 65504]; round to nearest gives relative error <= 2^-11.
            var rng = new Random(c.seed);
            var x = Enumerable.Range(0, c.n).Select(_ => (rng.Next(2) == 0 ? -1 : 1) * Math.Pow(2, -14 + 29.9 * rng.NextDouble())).ToArray();
            using var scope = TensorScope.Begin();
            var t32 = Tensor.FromArray(x.Select(v => (float)v).ToArray(), device: D);
            var half = Ops.Cast(t32, DType.Float16);
            Assert.Equal(DType.Float16, half.DType);
            var back = Ops.Cast(half, DType.Float32).ToDoubleArray();
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(back[i] - (float)x[i]) <= Math.Pow(2, -11) * Math.Abs((float)x[i]),
                    $"{(float)x[i]:R} -> fp16 -> {back[i]:R}");
            var back64 = Ops.Cast(Ops.Cast(Tensor.FromArray(x, device: D), DType.Float16), DType.Float64).ToDoubleArray();
            for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(back64[i] - x[i]) <= Math.Pow(2, -11) * Math.Abs(x[i]) * 1.0001);
        });

    [Fact]
    public void Float16OverflowsToInfinityAndKeepsExactValues()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(new[] { 1e5f, -1e5f, 65504f, 0.5f, 0f, -2f }, device: D);
        var back = Ops.Cast(Ops.Cast(t, DType.Float16), DType.Float32).ToArray<float>();
        Assert.Equal(new[] { float.PositiveInfinity, float.NegativeInfinity, 65504f, 0.5f, 0f, -2f }, back);
    }

    [Fact]
    public void Float32ToFloat64IsExact()
    {
        using var scope = TensorScope.Begin();
        var values = new[] { 0.1f, -3.25f, 1e-30f, 7e30f };
        var t = Ops.Cast(Tensor.FromArray(values, device: D), DType.Float64);
        Assert.Equal(values.Select(v => (double)v), t.ToArray<double>());
        Assert.Equal(values, Ops.Cast(t, DType.Float32).ToArray<float>());
    }
}

public class HalfRoundingTests
{
    [Fact]
    public void MatchesSystemHalfBitForBitOverEveryExponent()
    {
        // System.Half rounds to nearest even; sweep all exponents, random mantissas, ties and specials.
        var rng = new Random(5);
        var values = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 65504f, 65519.99f, 65520f, 6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f };
        for (int i = 0; i < 400_000; i++) values.Add(BitConverter.Int32BitsToSingle(rng.Next() & 0x7FFFFFFF | (rng.Next(2) << 31)));
        for (uint h = 0; h < 0x7C00; h++) // exact halves and the midpoints between neighbours (the ties)
        {
            float v = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            float next = (float)BitConverter.UInt16BitsToHalf((ushort)(h + 1));
            values.Add(v);
            values.Add((v + next) / 2);
        }
        foreach (float v in values)
        {
            if (float.IsNaN(v)) continue;
            ushort expected = BitConverter.HalfToUInt16Bits((System.Half)v);
            Assert.True(expected == Kernels.HalfRounding.ToBits(v), $"{v:R}: expected 0x{expected:X4}, got 0x{Kernels.HalfRounding.ToBits(v):X4}");
        }
        Assert.True(System.Half.IsNaN(BitConverter.UInt16BitsToHalf(Kernels.HalfRounding.ToBits(float.NaN))));
    }
}
