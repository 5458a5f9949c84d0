using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;
using static VoxelGan.TestSupport.KernelChoice;

namespace VoxelGan.Tensors.Tests;

/// <summary>
/// The group-per-output reduction (<c>ReductionKernels.AxisByGroup</c>, what an ILGPU device with groups launches
/// for few outputs over long axes: bias gradients, the second stage of a full reduction) against the
/// one-thread-per-output reference, on ILGPU's CPU accelerator with 16-thread groups (shared memory and barriers as
/// on a GPU) and on CUDA where a GPU is visible. The tree adds in another order than the reference: sums within
/// rounding, maxima and minima exactly.
/// </summary>
public class GroupedReductionKernelTests
{
    private static readonly Lazy<Device> Grouped = new(() => Device.CreateIlgpuCpu(16));

    private static readonly Lazy<Device?> Cuda = new(OwnCudaDevice);

    private static Device[] Devices => Cuda.Value is { } gpu ? [Grouped.Value, gpu] : [Grouped.Value];

    /// <summary>Threads per group of a device's group-per-output reductions: 16 x 16 on CUDA, 4 x 4 on the 16-thread CPU accelerator.</summary>
    private static int GroupSize(Device d) => d.Kind == DeviceKind.Cuda ? 256 : 16;

    /// <summary>Shapes (outer, length, inner) with axes both shorter and longer than a 16-thread group, and a NaN now and then.</summary>
    private static Gen<(int Outer, int Length, int Inner, int Op, bool F64, bool Nan, int Seed)> Cases =>
        from outer in Gen.Choose(1, 3)
        from length in Gen.OneOf(Gen.Choose(1, 15), Gen.Choose(16, 300))
        from inner in Gen.Choose(1, 4)
        from op in Gen.Choose(0, 2)
        from f64 in Gen.Elements(false, true)
        from nan in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        from seed in Gens.Seed
        select (outer, length, inner, op, f64, nan, seed);

    [Property(MaxTest = 25)]
    public Property AxisReductionsByGroupAgreeWithTheReference() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        var values = HostReference.RandomValues(new Random(c.Seed), c.Outer * c.Length * c.Inner);
        if (c.Nan) values[new Random(c.Seed + 1).Next(values.Length)] = double.NaN;
        foreach (var d in Devices)
        {
            using var scope = TensorScope.Begin();
            var t = Tensor.FromArray(values, new Shape(c.Outer, c.Length, c.Inner), d);
            var x = c.F64 ? t : Ops.Cast(t, DType.Float32);
            Tensor Reduce() => c.Op switch { 0 => Ops.Sum(x, 1), 1 => Ops.Max(x, 1), _ => Ops.Min(x, 1) };
            d.Counters.Reset();
            var fast = Run(d, false, Reduce);
            string expected = c.Length >= GroupSize(d) ? "ReductionKernels.AxisByGroup" : "ReductionKernels.Axis<";
            Assert.Contains(d.Counters.LaunchesByKernel(), l => l.Kernel.StartsWith(expected, StringComparison.Ordinal));
            var reference = Run(d, true, Reduce);
            for (int i = 0; i < fast.Length; i++)
                Assert.True(double.IsNaN(reference[i]) == double.IsNaN(fast[i]), $"{c}: element {i} is {fast[i]}, reference {reference[i]}");
            if (c.Op == 0) Approx.Equal(reference, fast, c.F64 ? 1e-12 : 1e-5, c.F64 ? 1e-12 : 1e-4, $"{c} on {d.Kind.Name()}");
            else Assert.True(fast.SequenceEqual(reference), $"{c} on {d.Kind.Name()}: {string.Join(", ", fast.Take(6))} vs {string.Join(", ", reference.Take(6))}");
        }
    });

    [Property(MaxTest = 20)]
    public Property BiasGradientSumsByGroupAgreeWithTheReference() => Prop.ForAll(
        (from n in Gen.Choose(1, 3) from c in Gen.Choose(1, 4) from voxels in Gen.OneOf(Gen.Choose(1, 40), Gen.Choose(100, 1500))
         from f64 in Gen.Elements(false, true) from seed in Gens.Seed select (n, c, voxels, f64, seed)).ToArbitrary(), k =>
    {
        // [N, C, V] to [1, C, 1]: a group per channel wherever N x V reaches a group's threads, and with many groups wanted
        // (SplitKBelowGroups raised) several groups per channel wherever each thread still gets 8 elements, their partial
        // sums then added in a second launch.
        var values = HostReference.RandomValues(new Random(k.seed), k.n * k.c * k.voxels);
        foreach (var d in Devices)
            foreach (int wanted in new[] { 0, 1 << 20 })
            {
                using var scope = TensorScope.Begin();
                var t = Tensor.FromArray(values, new Shape(k.n, k.c, k.voxels), d);
                var x = k.f64 ? t : Ops.Cast(t, DType.Float32);
                Tensor Reduce() => Ops.SumTo(x, new Shape(1, k.c, 1));
                int threshold = d.SplitKBelowGroups;
                double[] fast;
                d.SplitKBelowGroups = wanted;
                try
                {
                    d.Counters.Reset();
                    fast = Run(d, false, Reduce);
                }
                finally { d.SplitKBelowGroups = threshold; }
                // One summed run (N or V of 1 with C > 1) is a plain axis reduction; C = 1 sums everything around nothing;
                // with N = V = 1 and C > 1 nothing is summed, and SumTo only reshapes.
                long reductions = d.Counters.LaunchesByKernel().Where(l => l.Kernel.StartsWith("ReductionKernels.", StringComparison.Ordinal)).Sum(l => l.Launches);
                if (k.c > 1 && k.n * k.voxels == 1) Assert.Equal(0L, reductions);
                else
                {
                    bool around = k.c == 1 || (k.n > 1 && k.voxels > 1);
                    bool byGroup = around && k.n * k.voxels >= GroupSize(d);
                    bool split = byGroup && wanted > 0 && k.n * k.voxels >= 16 * GroupSize(d);
                    string expected = byGroup ? "ReductionKernels.AroundByGroup" : "ReductionKernels.";
                    if (around) Assert.Equal(split ? 2L : 1L, reductions);
                    Assert.Contains(d.Counters.LaunchesByKernel(), l => l.Kernel.StartsWith(expected, StringComparison.Ordinal));
                }
                var reference = Run(d, true, Reduce);
                Approx.Equal(reference, fast, k.f64 ? 1e-12 : 1e-5, k.f64 ? 1e-12 : 1e-4, $"{k}, {wanted} groups wanted, on {d.Kind.Name()}");
            }
    });

    [Fact]
    public void AFullSumFoldsItsPartialsByGroup()
    {
        // 50,000 elements: the first stage leaves 781 partials, more than a group, so the second stage runs by group.
        var values = HostReference.RandomValues(new Random(3), 50_000);
        double expected = values.Sum();
        foreach (var d in Devices)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(values, new Shape(values.Length), d);
            double sum = Run(d, false, () => Ops.Sum(x)).Single();
            Assert.Contains(d.LoadedKernels, m => m.Name == "AxisByGroup");
            Assert.True(Math.Abs(sum - expected) <= 1e-9 * values.Sum(Math.Abs), $"{sum} vs {expected} on {d.Kind.Name()}");
        }
    }
}
