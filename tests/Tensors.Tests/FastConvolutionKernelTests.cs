using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;
using static VoxelGan.TestSupport.KernelChoice;

namespace VoxelGan.Tensors.Tests;

/// <summary>
/// The fast ILGPU convolution kernels against the gather references they replace, on one accelerator
/// (<see cref="Device.ReferenceKernels"/> switches between them): the tiled implicit GEMM on a CPU accelerator with
/// 16-thread groups (4 x 4 tiles, shared memory and barriers as on a GPU), for the forward convolution and, with the
/// kernel flipped, the stride-1 transposed one; the phase-decomposed transposed convolution on both. The forward and
/// the phase kernel sum the same products in the same order as the references, so they agree bit for bit; the flipped
/// kernel sums the taps in reverse, so within rounding. The devices
/// are this class's own: switching kernels on the shared test devices would race with tests running in parallel.
/// </summary>
public class FastConvolutionKernelTests
{
    private static readonly Lazy<Device> Grouped = new(() => Device.CreateIlgpuCpu(16));

    /// <summary>64-thread groups: 8 x 8 groups (32 x 32 blocks of C) and, for at most 16 output channels, 16 x 4 ones (64 x 16 blocks).</summary>
    private static readonly Lazy<Device> Grouped64 = new(() => Device.CreateIlgpuCpu(64));
    private static readonly Lazy<Device> Plain = new(() => Device.Create(DeviceKind.IlgpuCpu));

    /// <summary>A CUDA device of this class's own where a GPU is visible (16 x 16 tiles), else none: the CPU devices still run.</summary>
    private static readonly Lazy<Device?> Cuda = new(OwnCudaDevice);

    private static Device[] Tiling => Cuda.Value is { } gpu ? [Grouped.Value, Grouped64.Value, gpu] : [Grouped.Value, Grouped64.Value];

    /// <summary>The kernel a tiling device runs for a convolution with <paramref name="columns"/> output channels: the GEMM from 4 on, the gather below.</summary>
    private static string Expected(int columns) => columns >= 4 ? "Conv3dImplicitGemmKernels" : "Conv3dKernels";

    /// <summary>
    /// Kernel sizes 1-4 and strides 1-3 (phases of every kind), channel counts that cross 4-wide thread blocks; now and
    /// then 17-20 output channels (square groups, several column blocks) and a batch whose voxels span several row blocks.
    /// </summary>
    private static Gen<(int N, int Cx, int Cy, int[] X, int K, int S, int P, bool F64, int Seed)> Cases =>
        from k in Gen.Choose(1, 4)
        from s in Gen.Choose(1, 3)
        from p in Gen.Choose(0, k - 1)
        from n in Gen.Choose(1, 2)
        from cx in Gen.Choose(1, 6)
        from cy in Gen.Frequency((4, Gen.Choose(1, 6)), (1, Gen.Choose(17, 20)))
        from extents in Gen.ArrayOf(Gen.Choose(Math.Max(1, k - 2 * p), 5), 3)
        from f64 in Gen.Elements(false, true)
        from seed in Gens.Seed
        select (n, cx, cy, extents, k, s, p, f64, seed);

    private static Tensor Random(int[] shape, bool f64, int seed, Device device)
    {
        var values = HostReference.RandomValues(new Random(seed), HostReference.Numel(shape));
        var t = Tensor.FromArray(values, new Shape(shape), device);
        return f64 ? t : Ops.Cast(t, DType.Float32);
    }

    [Property(MaxTest = 15)]
    public Property TheTiledImplicitGemmEqualsTheGatherReferenceBitForBit() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        int[] xs = [c.N, c.Cx, .. c.X], ws = [c.Cy, c.Cx, c.K, c.K, c.K];
        foreach (var d in Tiling)
        {
            using var scope = TensorScope.Begin();
            var x = Random(xs, c.F64, c.Seed, d);
            var w = Random(ws, c.F64, c.Seed + 1, d);
            d.Counters.Reset();
            var fast = RunTimed(d, () => Ops.Conv3d(x, w, c.S, c.P));
            Assert.Contains(d.Counters.LaunchesByKernel(), k => k.Kernel.StartsWith(Expected(c.Cy) + ".", StringComparison.Ordinal));
            bool split = SplitK(d);
            var reference = Run(d, true, () => Ops.Conv3d(x, w, c.S, c.P));
            // A GPU may contract a*b+c into one rounding in one kernel and not the other: within rounding there.
            if (d.Kind == DeviceKind.Cuda || split) Approx.Equal(reference, fast, c.F64 ? 1e-12 : 1e-4, c.F64 ? 1e-12 : 1e-4, $"{c} on {d.Kind.Name()}, split-K {split}");
            else Assert.True(fast.SequenceEqual(reference), $"{c}: tiled {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
        }
    });

    /// <summary>
    /// Whether the convolutions since the counters' reset split their inner dimension (the slices are then added in
    /// another order than the reference's sum): a tiled launch with more grid slices than products, one per phase of a
    /// <paramref name="stride"/>-strided transposed convolution, else one. The launch shapes are kept only while the
    /// counters time launches (<see cref="RunTimed"/>).
    /// </summary>
    private static bool SplitK(Device d, int stride = 1) => d.Counters.TimeByLaunch().Any(l =>
        (l.Kernel.StartsWith("Conv3dImplicitGemmKernels.Convolve<DirectConvolution>", StringComparison.Ordinal) && GridZ(l.Shape) > 1)
        || (l.Kernel.StartsWith("Conv3dImplicitGemmKernels.Convolve<PhaseTransposedConvolution>", StringComparison.Ordinal) && GridZ(l.Shape) > stride * stride * stride));

    /// <summary>Grid z of a launch shape "grid XxYxZ of ...".</summary>
    private static int GridZ(string shape) => int.Parse(shape.Split(' ')[1].Split('x')[2], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><see cref="KernelChoice.Run"/> of the fast kernels with the launch shapes recorded.</summary>
    private static double[] RunTimed(Device d, Func<Tensor> op)
    {
        d.Counters.Timing = true;
        try { return Run(d, false, op); }
        finally { d.Counters.Timing = false; }
    }

    [Fact]
    public void SmallGridsSplitTheirInnerDimension()
    {
        // 8 voxels x 8 channels: one group, while the inner dimension (16 channels x 27 taps) has 27 steps of 16. The
        // strided transposed convolution has 8 phases of one group each (16 channels x 8 taps: 8 steps), so the CPU
        // accelerator's threshold (twice its few multiprocessors) is raised for it.
        foreach (var d in Tiling)
        {
            using var scope = TensorScope.Begin();
            var x = Random([1, 16, 2, 2, 2], false, 7, d);
            var w = Random([8, 16, 3, 3, 3], false, 8, d);
            var wt = Random([16, 8, 3, 3, 3], false, 9, d);
            int threshold = d.SplitKBelowGroups;
            try
            {
                d.SplitKBelowGroups = 64;
                foreach (var (op, stride) in new (Func<Tensor>, int)[] { (() => Ops.Conv3d(x, w, 1, 1), 1), (() => Ops.ConvTranspose3d(x, wt, 1, 1, 0), 1), (() => Ops.ConvTranspose3d(x, wt, 2, 1, 1), 2) })
                {
                    d.Counters.Reset();
                    var fast = RunTimed(d, op);
                    Assert.True(SplitK(d, stride), $"no split-K on {d.Kind.Name()}: {string.Join(", ", d.Counters.TimeByLaunch().Select(k => $"{k.Kernel} {k.Shape}"))}");
                    // The slices are added by the kernel's last group, not by a separate reduction.
                    Assert.DoesNotContain(d.Counters.LaunchesByKernel(), k => k.Kernel.StartsWith("ReductionKernels.", StringComparison.Ordinal));
                    Assert.Contains(d.Counters.LaunchesByKernel(), k => k.Kernel.StartsWith("Conv3dImplicitGemmKernels.Convolve", StringComparison.Ordinal));
                    Approx.Equal(Run(d, true, op), fast, 1e-4, 1e-4, $"split-K on {d.Kind.Name()}");
                }
                // Below the threshold nothing splits: the tiled result is the reference's, bit for bit.
                d.SplitKBelowGroups = 0;
                d.Counters.Reset();
                var whole = RunTimed(d, () => Ops.Conv3d(x, w, 1, 1));
                Assert.False(SplitK(d));
                if (d.Kind != DeviceKind.Cuda) Assert.True(whole.SequenceEqual(Run(d, true, () => Ops.Conv3d(x, w, 1, 1))));
            }
            finally
            {
                d.SplitKBelowGroups = threshold;
            }
        }
    }

    [Property(MaxTest = 12)]
    public Property TheTiledWeightGradientEqualsTheGatherReferenceBitForBit() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        // Split-K slices as the reference's (the backend chooses them the same way for both), voxels in the same order.
        int Out(int n) => (n + 2 * c.P - c.K) / c.S + 1;
        int[] xs = [c.N, c.Cx, .. c.X], ys = [c.N, c.Cy, .. c.X.Select(Out)];
        foreach (var d in Tiling)
        {
            using var scope = TensorScope.Begin();
            var x = Random(xs, c.F64, c.Seed, d);
            var y = Random(ys, c.F64, c.Seed + 1, d);
            d.Counters.Reset();
            var fast = Run(d, false, () => Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P));
            Assert.Contains(d.Counters.LaunchesByKernel(), k => k.Kernel.StartsWith(Expected(c.Cy) + ".WeightGradient", StringComparison.Ordinal));
            var reference = Run(d, true, () => Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P));
            if (d.Kind == DeviceKind.Cuda) Approx.Equal(reference, fast, c.F64 ? 1e-12 : 1e-5, c.F64 ? 1e-12 : 1e-5, $"{c} on CUDA");
            else Assert.True(fast.SequenceEqual(reference), $"{c}: tiled {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
        }
    });

    [Property(MaxTest = 20)]
    public Property TheBiasSumsFoldedIntoTheWeightGradientEqualTheSeparateOnes() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        // One launch gives the weight gradient and the bias's (the bias as a tap row reading 1): the weights the same
        // bits as the weight gradient alone, tiled and reference the same bits, the bias sums those of a sum over batch
        // and voxels within rounding (another order where the reduction takes another path), on every device.
        int Out(int n) => (n + 2 * c.P - c.K) / c.S + 1;
        int[] xs = [c.N, c.Cx, .. c.X], ys = [c.N, c.Cy, .. c.X.Select(Out)];
        double tolerance = c.F64 ? 1e-12 : 1e-5;
        foreach (var d in Tiling.Append(TestDevice.Host))
        {
            using var scope = TensorScope.Begin();
            var x = Random(xs, c.F64, c.Seed, d);
            var y = Random(ys, c.F64, c.Seed + 1, d);
            Tensor Joined()
            {
                var (w, b) = Ops.Conv3dWeightAndBiasGrad(x, y, c.K, c.S, c.P);
                return Ops.Concat([w.Reshape(-1), b], 0);
            }
            double[] Both(bool reference) => d.Kind == DeviceKind.Cpu ? Joined().ToDoubleArray() : Run(d, reference, Joined);
            d.Counters.Reset();
            var fast = Both(false);
            // The tiled kernel sums its split-K slices itself: no reduction launch for the weights or the bias.
            if (d.Kind != DeviceKind.Cpu && c.Cy >= 4)
                Assert.DoesNotContain(d.Counters.LaunchesByKernel(), k => k.Kernel.StartsWith("ReductionKernels.", StringComparison.Ordinal));
            var weights = d.Kind == DeviceKind.Cpu ? Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P).ToDoubleArray() : Run(d, false, () => Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P));
            var sums = Ops.SumTo(y, new Shape(1, c.Cy, 1, 1, 1)).ToDoubleArray();
            string what = $"{c} on {d.Kind.Name()}";
            if (d.Kind == DeviceKind.Cuda) Approx.Equal(weights, fast[..weights.Length], tolerance, tolerance, what);
            else Assert.True(fast[..weights.Length].SequenceEqual(weights), $"{what}: weights {string.Join(", ", fast.Take(4))} vs {string.Join(", ", weights.Take(4))}");
            Approx.Equal(sums, fast[weights.Length..], tolerance, tolerance, what + " bias");
            if (d.Kind == DeviceKind.IlgpuCpu)
            {
                var reference = Both(true);
                Assert.True(fast.SequenceEqual(reference), $"{what}: tiled {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
            }
        }
    });

    [Property(MaxTest = 40)]
    public Property TheTransposedConvolutionKernelsEqualTheGatherReference() => Prop.ForAll(
        (from c in Cases from op in Gen.Choose(-1, 2) select (c, op: Math.Min(op, c.S - 1))).ToArbitrary(), t =>
    {
        // Which kernel a device runs: on devices that tile, with at least 4 output channels, the GEMM with the flipped
        // kernel at stride 1, the GEMM per output phase where the kernel reaches every phase (K >= S), and a 1 x 1 GEMM
        // of every tap's product spread onto the fine grid where it does not (K < S); else (and on the plain CPU
        // accelerator always) the phase gather.
        var (c, op) = t;
        int[] ys = [c.N, c.Cy, .. c.X], ws = [c.Cy, c.Cx, c.K, c.K, c.K];
        foreach (var d in new[] { Plain.Value }.Concat(Tiling))
        {
            using var scope = TensorScope.Begin();
            var y = Random(ys, c.F64, c.Seed, d);
            var w = Random(ws, c.F64, c.Seed + 1, d);
            Tensor Op() => Ops.ConvTranspose3d(y, w, c.S, c.P, op);
            double[] fast;
            d.Counters.Reset();
            try { fast = RunTimed(d, Op); }
            catch (ShapeException) { return; } // a cropped extent the convolution cannot have come from
            var launched = d.Counters.LaunchesByKernel().Select(k => k.Kernel).ToArray();
            bool split = SplitK(d, c.S);
            var reference = Run(d, true, Op);
            bool tiles = !ReferenceEquals(d, Plain.Value) && c.Cx >= 4;
            string expected = tiles && c.S == 1 ? "Conv3dImplicitGemmKernels.Convolve<DirectConvolution>"
                : tiles && c.K >= c.S ? "Conv3dImplicitGemmKernels.Convolve<PhaseTransposedConvolution>"
                : tiles ? "ConvTransposeByPhaseKernels.SpreadTaps"
                : "ConvTransposeByPhaseKernels.Transposed";
            if (tiles && c.K < c.S) Assert.Contains(launched, k => k.StartsWith("Conv3dImplicitGemmKernels.Convolve<DirectConvolution>", StringComparison.Ordinal));
            Assert.Contains(launched, k => k.StartsWith(expected, StringComparison.Ordinal));
            // The flipped kernel sums the taps in reverse order, split-K sums slices, and a GPU may contract a*b+c into one
            // rounding: within rounding there. Otherwise the phase GEMM and gather sum the reference's products in its order.
            if (d.Kind == DeviceKind.Cuda || split || c.S == 1)
            {
                var (rtol, atol) = c.F64 ? (1e-12, 1e-12) : (1e-4, 1e-4);
                Approx.Equal(reference, fast, rtol, atol, $"{c}, output padding {op}: {expected} on {d.Kind.Name()}");
                continue;
            }
            Assert.True(fast.SequenceEqual(reference), $"{c}, output padding {op}: {expected} {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
        }
    });

    [Fact]
    public void ManySplitKSlicesAreSummedInTheReferenceOrder()
    {
        // 4 weights over 2 x 24 (n, od) pairs: as many slices as pairs, more than a 16-thread group, where a reduction
        // by group would sum the slices in another order than the reference's (found by the property above).
        int[] xs = [2, 1, 24, 3, 3], ys = [2, 4, 24, 3, 3];
        using var scope = TensorScope.Begin();
        var d = Grouped.Value;
        var x = Random(xs, false, 5, d);
        var y = Random(ys, false, 6, d);
        var fast = Run(d, false, () => Ops.Conv3dWeightGrad(x, y, 1, 1, 0));
        var reference = Run(d, true, () => Ops.Conv3dWeightGrad(x, y, 1, 1, 0));
        Assert.True(fast.SequenceEqual(reference), $"tiled {string.Join(", ", fast)} vs reference {string.Join(", ", reference)}");
    }

    [Fact]
    public void TheHostBackendHasNoReferenceSwitch()
    {
        Assert.False(TestDevice.Host.ReferenceKernels);
        Assert.Throws<NotSupportedException>(() => TestDevice.Host.ReferenceKernels = true);
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.CreateIlgpuCpu(6));
        Assert.Equal(0, TestDevice.Host.SplitKBelowGroups);
        Assert.Throws<NotSupportedException>(() => TestDevice.Host.SplitKBelowGroups = 4);
    }
}
