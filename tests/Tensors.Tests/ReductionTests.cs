using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class ReductionTests
{
    private static Device D => TestDevice.Instance;

    private static Gen<DType> ComputeType => Gen.Elements(DType.Float32, DType.Float64);

    [Property(MaxTest = 40)]
    public Property FullReductionsMatchLinq() => Prop.ForAll(
        (from shape in Gens.Shape(maxRank: 3, maxExtent: 40)
         from dtype in ComputeType
         from seed in Gens.Seed
         select (shape, dtype, seed)).ToArbitrary(),
        c =>
        {
            var x = ElementwiseTests.RoundTo(HostReference.RandomValues(new Random(c.seed), HostReference.Numel(c.shape)), c.dtype);
            using var scope = TensorScope.Begin();
            var t = ElementwiseTests.Make(x, c.shape, c.dtype);
            var (rtol, atol) = Approx.For(c.dtype, 100);
            Approx.Equal([x.Sum()], [Ops.Sum(t).Item()], rtol, atol, "sum");
            Approx.Equal([x.Average()], [Ops.Mean(t).Item()], rtol, atol, "mean");
            Approx.Equal([x.Max()], [Ops.Max(t).Item()], 0, 0, "max");
            Approx.Equal([x.Min()], [Ops.Min(t).Item()], 0, 0, "min");
            Assert.Equal(0, Ops.Sum(t).Rank);
        });

    [Property(MaxTest = 40)]
    public Property AxisReductionsMatchLoops() => Prop.ForAll(
        (from shape in Gens.Shape(maxRank: 4, maxExtent: 5, allowEmpty: true).Where(s => s.Length > 0)
         from axis in Gen.Choose(-shape.Length, shape.Length - 1)
         from keep in Gen.Elements(true, false)
         from dtype in ComputeType
         from seed in Gens.Seed
         select (shape, axis, keep, dtype, seed)).ToArbitrary(),
        c =>
        {
            var x = ElementwiseTests.RoundTo(HostReference.RandomValues(new Random(c.seed), HostReference.Numel(c.shape)), c.dtype);
            int a = c.axis < 0 ? c.axis + c.shape.Length : c.axis;
            int outer = c.shape[..a].Aggregate(1, (p, q) => p * q), len = c.shape[a], inner = c.shape[(a + 1)..].Aggregate(1, (p, q) => p * q);
            var sum = new double[outer * inner];
            var max = Enumerable.Repeat(double.NegativeInfinity, outer * inner).ToArray();
            for (int o = 0; o < outer; o++)
                for (int k = 0; k < len; k++)
                    for (int j = 0; j < inner; j++)
                    {
                        double v = x[(o * len + k) * inner + j];
                        sum[o * inner + j] += v;
                        max[o * inner + j] = Math.Max(max[o * inner + j], v);
                    }
            var expectedShape = c.keep ? c.shape.Select((d, i) => i == a ? 1 : d).ToArray() : c.shape.Where((_, i) => i != a).ToArray();
            using var scope = TensorScope.Begin();
            var t = ElementwiseTests.Make(x, c.shape, c.dtype);
            var s = Ops.Sum(t, c.axis, c.keep);
            Assert.Equal(expectedShape, s.Shape.ToArray());
            var (rtol, atol) = Approx.For(c.dtype, 10);
            Approx.Equal(sum, s.ToDoubleArray(), rtol, atol, "sum axis");
            if (len > 0)
            {
                Approx.Equal(max, Ops.Max(t, c.axis, c.keep).ToDoubleArray(), 0, 0, "max axis");
                Approx.Equal(sum.Select(v => v / len).ToArray(), Ops.Mean(t, c.axis, c.keep).ToDoubleArray(), rtol, atol, "mean axis");
            }
            else
            {
                Assert.Throws<ShapeException>(() => Ops.Max(t, c.axis, c.keep));
            }
        });

    [Property(MaxTest = 40)]
    public Property SumToIsTheAdjointOfBroadcast() => Prop.ForAll(
        (from shapes in Gens.BroadcastPair() from seed in Gens.Seed select (shapes.A, shapes.B, seed)).ToArbitrary(),
        c =>
        {
            // <broadcast(a), g> = <a, sumTo(g)> for every a and g.
            var full = HostReference.BroadcastShape(c.A, c.B)!;
            var rng = new Random(c.seed);
            var a = HostReference.RandomValues(rng, HostReference.Numel(c.A));
            var g = HostReference.RandomValues(rng, HostReference.Numel(full));
            using var scope = TensorScope.Begin();
            var ta = Tensor.FromArray(a, new Shape(c.A), D);
            var tg = Tensor.FromArray(g, new Shape(full), D);
            var reduced = Ops.SumTo(tg, new Shape(c.A));
            Assert.Equal(c.A, reduced.Shape.ToArray());
            var broadcast = Ops.BroadcastTo(ta, new Shape(full)).ToDoubleArray();
            double lhs = broadcast.Zip(g, (p, q) => p * q).Sum();
            double rhs = a.Zip(reduced.ToDoubleArray(), (p, q) => p * q).Sum();
            Assert.Equal(lhs, rhs, 1e-9);
        });

    [Fact]
    public void EmptyTensorsSumToZeroAndHaveNoMaximum()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.Zeros(new Shape(0, 3), DType.Float64, D);
        Assert.Equal(0, Ops.Sum(t).Item());
        Assert.Equal(new[] { 0.0, 0, 0 }, Ops.Sum(t, 0).ToDoubleArray());
        Assert.Throws<ShapeException>(() => Ops.Max(t));
    }

    [Fact]
    public void LargeSumsUseManyPartials()
    {
        using var scope = TensorScope.Begin();
        int n = 100_003;
        var t = Tensor.Full(new Shape(n), 0.5, DType.Float64, D);
        Assert.Equal(n * 0.5, Ops.Sum(t).Item(), 9);
    }
}
