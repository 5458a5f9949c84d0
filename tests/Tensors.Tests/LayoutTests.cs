using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class LayoutTests
{
    private static Device D => TestDevice.Instance;

    private static double[] Iota(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    [Property(MaxTest = 40)]
    public Property PermuteMovesEveryElement() => Prop.ForAll(
        (from shape in Gens.Shape(maxRank: 6, maxExtent: 3, allowEmpty: true)
         from perm in Gen.Shuffle(Enumerable.Range(0, shape.Length).ToArray())
         select (shape, perm: perm.ToArray())).ToArbitrary(),
        c =>
        {
            var x = Iota(HostReference.Numel(c.shape));
            var outShape = c.perm.Select(p => c.shape[p]).ToArray();
            var expected = new double[x.Length];
            var inStrides = HostReference.Strides(c.shape);
            for (int i = 0; i < expected.Length; i++)
            {
                var oc = HostReference.Coordinates(i, outShape);
                int src = 0;
                for (int k = 0; k < oc.Length; k++) src += oc[k] * inStrides[c.perm[k]];
                expected[i] = x[src];
            }
            using var scope = TensorScope.Begin();
            var y = Ops.Permute(Tensor.FromArray(x, new Shape(c.shape), D), c.perm);
            Assert.Equal(outShape, y.Shape.ToArray());
            Assert.Equal(expected, y.ToDoubleArray());
        });

    [Property(MaxTest = 30)]
    public Property SegmentsReadAndWriteTheirOwnElementsOnEveryBackend() => Prop.ForAll(
        (from n in Gen.Choose(1, 300) from offset in Gen.Choose(0, n - 1) from length in Gen.Choose(0, n - offset)
         select (n, offset, length)).ToArbitrary(),
        c =>
        {
            foreach (var device in new[] { TestDevice.Host, TestDevice.IlgpuCpu })
            {
                using var scope = TensorScope.Begin();
                var x = Tensor.FromArray(Iota(c.n), device: device);
                var segment = x.Segment(c.offset, new Shape(c.length));
                Assert.Equal(Iota(c.n)[c.offset..(c.offset + c.length)], segment.ToDoubleArray());
                // An op reads the segment and a copy writes into it; the rest of x is untouched.
                Ops.CopyInto(segment, Ops.AddScalar(Ops.MulScalar(segment, 2), 1));
                var expected = Iota(c.n).Select((v, i) => i >= c.offset && i < c.offset + c.length ? 2 * v + 1 : v).ToArray();
                Assert.Equal(expected, x.ToDoubleArray());
                // A reshape of a segment, and a segment of a segment, keep the offset.
                if (c.length > 0)
                {
                    Assert.Equal(expected[c.offset..(c.offset + c.length)], segment.Reshape(1, c.length).ToDoubleArray());
                    Assert.Equal(expected[(c.offset + c.length - 1)..(c.offset + c.length)], segment.Segment(c.length - 1, new Shape(1)).ToDoubleArray());
                }
            }
        });

    [Fact]
    public void RelocationMovesTheDataAndKeepsTheTensorObject()
    {
        foreach (var device in new[] { TestDevice.Host, TestDevice.IlgpuCpu })
        {
            using var scope = TensorScope.Begin();
            var arena = Tensor.Zeros(new Shape(10), DType.Float64, device);
            var p = Tensor.FromArray(new[] { 1.0, 2, 3 }, device: device);
            p.RelocateInto(arena, 4);
            Assert.Equal([1.0, 2, 3], p.ToDoubleArray());
            Assert.Equal([0.0, 0, 0, 0, 1, 2, 3, 0, 0, 0], arena.ToDoubleArray());
            Ops.CopyInto(p, Tensor.FromArray(new[] { 7.0, 8, 9 }, device: device));
            Assert.Equal([0.0, 0, 0, 0, 7, 8, 9, 0, 0, 0], arena.ToDoubleArray());
            // Both keep the storage alive: disposing the arena first leaves the relocated tensor readable.
            arena.Dispose();
            Assert.Equal([7.0, 8, 9], p.ToDoubleArray());

            var other = Tensor.Zeros(new Shape(4), DType.Float64, device);
            var shared = Tensor.FromArray(new[] { 1.0 }, device: device);
            _ = shared.Reshape(1, 1);
            Assert.Contains("view", Assert.Throws<InvalidOperationException>(() => shared.RelocateInto(other, 0)).Message);
            Assert.Throws<ArgumentException>(() => Tensor.FromArray(new[] { 1f }, device: device).RelocateInto(other, 0));
            Assert.Throws<ShapeException>(() => Tensor.FromArray(new[] { 1.0, 2 }, device: device).RelocateInto(other, 3));
            Assert.Throws<ShapeException>(() => other.Segment(-1, new Shape(1)));
            var moved = Tensor.FromArray(new[] { 5.0 }, device: device);
            moved.RelocateInto(other, 0);
            Assert.Contains("already lives", Assert.Throws<InvalidOperationException>(() => moved.RelocateInto(other, 2)).Message);
        }
    }

    [Property(MaxTest = 40)]
    public Property SliceThenConcatRestoresTheTensor() => Prop.ForAll(
        (from shape in Gens.Shape(maxRank: 4, maxExtent: 5).Where(s => s.Length > 0)
         from axis in Gen.Choose(0, shape.Length - 1)
         from cut in Gen.Choose(0, shape[axis])
         select (shape, axis, cut)).ToArbitrary(),
        c =>
        {
            var x = Iota(HostReference.Numel(c.shape));
            using var scope = TensorScope.Begin();
            var t = Tensor.FromArray(x, new Shape(c.shape), D);
            var left = Ops.Slice(t, c.axis, 0, c.cut);
            var right = Ops.Slice(t, c.axis, c.cut, c.shape[c.axis] - c.cut);
            Assert.Equal(c.cut, left.Shape[c.axis]);
            // Reference for the slice: every element whose coordinate on axis is < cut, in order.
            var expectedLeft = x.Where((_, i) => HostReference.Coordinates(i, c.shape)[c.axis] < c.cut).ToArray();
            Assert.Equal(expectedLeft, left.ToDoubleArray());
            Assert.Equal(x, Ops.Concat([left, right], c.axis).ToDoubleArray());
        });

    [Property(MaxTest = 40)]
    public Property PadSurroundsTheInputWithTheValue() => Prop.ForAll(
        (from shape in Gens.Shape(maxRank: 3, maxExtent: 4).Where(s => s.Length > 0)
         from before in Gen.ArrayOf(Gen.Choose(0, 2), shape.Length)
         from after in Gen.ArrayOf(Gen.Choose(0, 2), shape.Length)
         select (shape, before, after)).ToArbitrary(),
        c =>
        {
            var x = Iota(HostReference.Numel(c.shape)).Select(v => v + 1).ToArray();
            var outShape = c.shape.Select((d, k) => d + c.before[k] + c.after[k]).ToArray();
            var expected = new double[HostReference.Numel(outShape)];
            for (int i = 0; i < expected.Length; i++)
            {
                var oc = HostReference.Coordinates(i, outShape);
                bool inside = oc.Select((v, k) => v >= c.before[k] && v < c.before[k] + c.shape[k]).All(b => b);
                int src = 0;
                for (int k = 0; k < oc.Length; k++) src = src * c.shape[k] + (oc[k] - c.before[k]);
                expected[i] = inside ? x[src] : -7;
            }
            using var scope = TensorScope.Begin();
            var y = Ops.Pad(Tensor.FromArray(x, new Shape(c.shape), D), c.before, c.after, -7);
            Assert.Equal(outShape, y.Shape.ToArray());
            Assert.Equal(expected, y.ToDoubleArray());
        });

    [Fact]
    public void ReshapeSharesStorageAndInfersOneExtent()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(Iota(24), new Shape(2, 3, 4), D);
        var v = t.Reshape(4, -1);
        Assert.Equal(new[] { 4, 6 }, v.Shape.ToArray());
        long before = D.Pool.BytesInUse;
        t.Dispose(); // the view keeps the storage alive
        Assert.Equal(Iota(24), v.ToDoubleArray());
        Assert.Equal(before, D.Pool.BytesInUse);
        Assert.Throws<ShapeException>(() => v.Reshape(5, -1));
        Assert.Throws<ShapeException>(() => v.Reshape(-1, -1));
    }

    [Fact]
    public void BadLayoutArgumentsNameTheShape()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.Zeros(new Shape(2, 3), device: D);
        Assert.Contains("[2, 3]", Assert.Throws<ShapeException>(() => Ops.Slice(t, 1, 2, 2)).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ShapeException>(() => Ops.Permute(t, 0, 0)).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ShapeException>(() => Ops.Concat([t, Tensor.Zeros(new Shape(3, 3), device: D)], 1)).Message);
        Assert.Throws<ShapeException>(() => Ops.Pad(t, [1], [1]));
        Assert.Throws<ShapeException>(() => Ops.Sum(t, 2));
        Assert.Throws<ShapeException>(() => Ops.BroadcastTo(t, new Shape(3, 3)));
    }

    [Fact]
    public void SevenUnmergeableAxesAreAClearErrorButMergeableOnesWork()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.Zeros(new Shape(2, 2, 2, 2, 2, 2, 2), device: D);
        var e = Assert.Throws<ShapeException>(() => Ops.Permute(t, 6, 5, 4, 3, 2, 1, 0));
        Assert.Contains("7 axes", e.Message);
        // Axes that stay adjacent merge, so an 8-d tensor with a rank-2 permutation is fine.
        var u = Tensor.FromArray(Enumerable.Range(0, 256).Select(i => (double)i).ToArray(), new Shape(2, 2, 2, 2, 2, 2, 2, 2), D);
        var p = Ops.Permute(u, 4, 5, 6, 7, 0, 1, 2, 3).ToDoubleArray();
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (double)((i % 16) * 16 + i / 16)), p);
    }

    [Fact]
    public void TransposeOfAMatrix()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(Iota(6), new Shape(2, 3), D);
        Assert.Equal(new double[] { 0, 3, 1, 4, 2, 5 }, Ops.Transpose(t).ToDoubleArray());
    }
}
