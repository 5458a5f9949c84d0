using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class MatMulTests
{
    private static Device D => TestDevice.Instance;

    [Property(MaxTest = 50)]
    public Property BatchedMatMulWithTransposesMatchesTripleLoop() => Prop.ForAll(
        (from m in Gen.Choose(1, 5)
         from n in Gen.Choose(1, 5)
         from k in Gen.Choose(0, 5)
         from batch in Gens.BroadcastPair(maxRank: 2, maxExtent: 3)
         from ta in Gen.Elements(true, false)
         from tb in Gen.Elements(true, false)
         from dtype in Gen.Elements(DType.Float32, DType.Float64)
         from seed in Gens.Seed
         select (m, n, k, batch.A, batch.B, ta, tb, dtype, seed)).ToArbitrary(),
        c =>
        {
            int[] sa = [.. c.A, .. c.ta ? new[] { c.k, c.m } : new[] { c.m, c.k }];
            int[] sb = [.. c.B, .. c.tb ? new[] { c.n, c.k } : new[] { c.k, c.n }];
            var rng = new Random(c.seed);
            var a = ElementwiseTests.RoundTo(HostReference.RandomValues(rng, HostReference.Numel(sa)), c.dtype);
            var b = ElementwiseTests.RoundTo(HostReference.RandomValues(rng, HostReference.Numel(sb)), c.dtype);
            var batchShape = HostReference.BroadcastShape(c.A, c.B)!;
            int batchCount = HostReference.Numel(batchShape);
            var expected = new double[batchCount * c.m * c.n];
            for (int bt = 0; bt < batchCount; bt++)
            {
                var coord = HostReference.Coordinates(bt, batchShape);
                for (int i = 0; i < c.m; i++)
                    for (int j = 0; j < c.n; j++)
                    {
                        double acc = 0;
                        for (int p = 0; p < c.k; p++)
                        {
                            int[] ca = [.. coord, .. c.ta ? new[] { p, i } : new[] { i, p }];
                            int[] cb = [.. coord, .. c.tb ? new[] { j, p } : new[] { p, j }];
                            acc += HostReference.ReadBroadcast(a, sa, ca) * HostReference.ReadBroadcast(b, sb, cb);
                        }
                        expected[(bt * c.m + i) * c.n + j] = acc;
                    }
            }
            using var scope = TensorScope.Begin();
            var result = Ops.MatMul(ElementwiseTests.Make(a, sa, c.dtype), ElementwiseTests.Make(b, sb, c.dtype), c.ta, c.tb);
            Assert.Equal([.. batchShape, c.m, c.n], result.Shape.ToArray());
            var (rtol, atol) = Approx.For(c.dtype, 10);
            Approx.Equal(expected, result.ToDoubleArray(), rtol, atol, $"matmul {string.Join("x", sa)} @ {string.Join("x", sb)}");
        });

    [Fact]
    public void InnerDimensionMismatchNamesBothShapes()
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.Zeros(new Shape(2, 3), device: D);
        var b = Tensor.Zeros(new Shape(4, 5), device: D);
        var e = Assert.Throws<ShapeException>(() => Ops.MatMul(a, b));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
        Assert.Throws<ShapeException>(() => Ops.MatMul(Tensor.Zeros(new Shape(3), device: D), b));
    }
}
