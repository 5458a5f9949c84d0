using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;
using static VoxelGan.TestSupport.KernelChoice;

namespace VoxelGan.Tensors.Tests;

/// <summary>
/// <see cref="Ops.GatherInto"/> (several tensors into one buffer: an optimizer's flat gradients, a concatenation along
/// its outermost axis): <c>CopyKernels.Gather</c>, up to eight sources per launch, against plain C# and against its
/// reference (one strided copy per source) on ILGPU's CPU accelerator, on the host backend, and on CUDA where a GPU is
/// visible. Elements between the parts must keep their values.
/// </summary>
public class GatherTests
{
    private static readonly Lazy<Device?> Cuda = new(OwnCudaDevice);

    /// <summary>A CPU accelerator of this class's own: switching it to its reference kernels must not race with other tests.</summary>
    private static readonly Lazy<Device> OwnIlgpuCpu = new(() => Device.Create(DeviceKind.IlgpuCpu));

    private static Device[] IlgpuDevices => Cuda.Value is { } gpu ? [OwnIlgpuCpu.Value, gpu] : [OwnIlgpuCpu.Value];

    /// <summary>Part sizes (empty ones too), the gap before each part, the order of the parts in the destination, a dtype.</summary>
    private static Gen<(int[] Sizes, int[] Gaps, int Seed, DType DType)> Cases =>
        from count in Gen.Choose(0, 20)
        from sizes in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 40))), count)
        from gaps in Gen.ArrayOf(Gen.Choose(0, 5), count)
        from seed in Gens.Seed
        from dtype in Gen.Elements(DType.Float16, DType.Float32, DType.Float64)
        select (sizes, gaps, seed, dtype);

    /// <summary>The parts' values (small integers, exact in float16), their destination offsets, the destination's size.</summary>
    private static (double[][] Values, long[] Offsets, int Total) Layout((int[] Sizes, int[] Gaps, int Seed, DType DType) c)
    {
        var rng = new Random(c.Seed);
        var values = c.Sizes.Select(n => Enumerable.Range(0, n).Select(_ => (double)rng.Next(-1000, 1000)).ToArray()).ToArray();
        var order = Enumerable.Range(0, c.Sizes.Length).OrderBy(_ => rng.Next()).ToArray();
        var offsets = new long[c.Sizes.Length];
        long at = 0;
        foreach (int k in order) { at += c.Gaps[k]; offsets[k] = at; at += c.Sizes[k]; }
        return (values, offsets, (int)at + 3);
    }

    private static double[] Gather(Device d, double[][] values, long[] offsets, int total, DType dtype)
    {
        using var scope = TensorScope.Begin();
        var destination = Ops.Cast(Tensor.Full(new Shape(total), -7, DType.Float64, d), dtype);
        var parts = values.Select((v, k) => (Ops.Cast(Tensor.FromArray(v, new Shape(v.Length), d), dtype), offsets[k])).ToArray();
        d.Counters.Reset();
        Ops.GatherInto(destination, parts);
        return destination.ToDoubleArray();
    }

    [Property(MaxTest = 40)]
    public Property GatherPlacesEveryPartAndLeavesTheRest() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        var (values, offsets, total) = Layout(c);
        var expected = Enumerable.Repeat(-7.0, total).ToArray();
        for (int k = 0; k < values.Length; k++) values[k].CopyTo(expected, offsets[k]);
        int nonEmpty = c.Sizes.Count(n => n > 0);
        foreach (var d in IlgpuDevices.Append(TestDevice.Host))
        {
            var fast = Gather(d, values, offsets, total, c.DType);
            Assert.Equal(expected, fast);
            if (d.Kind == DeviceKind.Cpu) continue;
            // Eight parts per launch, and nothing else launched.
            Assert.Equal((nonEmpty + 7) / 8, d.Counters.Launches);
            if (nonEmpty > 0) Assert.StartsWith("CopyKernels.Gather", Assert.Single(d.Counters.LaunchesByKernel()).Kernel);
            d.ReferenceKernels = true;
            try
            {
                Assert.Equal(expected, Gather(d, values, offsets, total, c.DType));
                Assert.Equal(nonEmpty, d.Counters.Launches);
            }
            finally
            {
                d.ReferenceKernels = false;
            }
        }
    });

    [Property(MaxTest = 20)]
    public Property ConcatenationAlongTheOutermostAxisIsOneGatherPerEightParts() => Prop.ForAll(
        (from count in Gen.Choose(1, 12)
         from rows in Gen.ArrayOf(Gen.Choose(0, 3), count)
         from inner in Gen.Choose(1, 4)
         select (rows, inner)).ToArbitrary(),
        c =>
        {
            var d = OwnIlgpuCpu.Value;
            using var scope = TensorScope.Begin();
            int next = 0;
            var parts = c.rows.Select(r =>
            {
                var values = Enumerable.Range(next, r * c.inner).Select(v => (double)v).ToArray();
                next += values.Length;
                return Tensor.FromArray(values, new Shape(1, r, c.inner), d);
            }).ToArray();
            d.Counters.Reset();
            var y = Ops.Concat(parts, 1);
            Assert.Equal((c.rows.Count(r => r > 0) + 7) / 8, d.Counters.Launches);
            Assert.Equal(new Shape(1, c.rows.Sum(), c.inner), y.Shape);
            Assert.Equal(parts.SelectMany(p => p.ToDoubleArray()), y.ToDoubleArray());
        });

    [Fact]
    public void OverlapsOutOfRangePartsAndMismatchedTypesAreNamedErrors()
    {
        using var scope = TensorScope.Begin();
        var d = TestDevice.Instance;
        var destination = Tensor.Zeros(new Shape(10), device: d);
        var four = Tensor.Zeros(new Shape(2, 2), device: d);
        var e = Assert.Throws<ShapeException>(() => Ops.GatherInto(destination, [(four, 0), (four, 3)]));
        Assert.Contains("overlaps", e.Message);
        Assert.Contains("element 3", e.Message);
        Assert.Contains("reaches past", Assert.Throws<ShapeException>(() => Ops.GatherInto(destination, [(four, 7)])).Message);
        Assert.Throws<ShapeException>(() => Ops.GatherInto(destination, [(four, -1)]));
        var doubles = Tensor.Zeros(new Shape(2), DType.Float64, d);
        Assert.Contains("dtype", Assert.Throws<ArgumentException>(() => Ops.GatherInto(destination, [(doubles, 0)])).Message);
        // Nothing was written by the refused calls, and touching ranges are fine.
        Ops.GatherInto(destination, [(Tensor.Full(new Shape(2, 2), 1, DType.Float32, d), 0), (Tensor.Full(new Shape(6), 2, DType.Float32, d), 4)]);
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2, 2, 2], destination.ToDoubleArray());
    }
}
