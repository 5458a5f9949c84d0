using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;

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
    private static readonly Lazy<Device> Plain = new(() => Device.Create(DeviceKind.IlgpuCpu));

    /// <summary>A CUDA device of this class's own where a GPU is visible (16 x 16 tiles), else none: the CPU devices still run.</summary>
    private static readonly Lazy<Device?> Cuda = new(() =>
    {
        try { return Device.Create(DeviceKind.Cuda); }
        catch (DeviceException) { return null; }
    });

    private static Device[] Tiling => Cuda.Value is { } gpu ? [Grouped.Value, gpu] : [Grouped.Value];

    /// <summary>Kernel sizes 1-4 and strides 1-3 (phases of every kind), channel counts that cross 4-wide tile edges.</summary>
    private static Gen<(int N, int Cx, int Cy, int[] X, int K, int S, int P, bool F64, int Seed)> Cases =>
        from k in Gen.Choose(1, 4)
        from s in Gen.Choose(1, 3)
        from p in Gen.Choose(0, k - 1)
        from n in Gen.Choose(1, 2)
        from cx in Gen.Choose(1, 6)
        from cy in Gen.Choose(1, 6)
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

    private static double[] Run(Device device, bool reference, Func<Tensor> op)
    {
        device.ReferenceKernels = reference;
        try
        {
            using var scope = TensorScope.Begin();
            return op().ToDoubleArray();
        }
        finally
        {
            device.ReferenceKernels = false;
        }
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
            var fast = Run(d, false, () => Ops.Conv3d(x, w, c.S, c.P));
            var reference = Run(d, true, () => Ops.Conv3d(x, w, c.S, c.P));
            Assert.Contains(d.LoadedKernels, m => m.DeclaringType?.Name == "Conv3dImplicitGemmKernels");
            // A GPU may contract a*b+c into one rounding in one kernel and not the other: within rounding there.
            if (d.Kind == DeviceKind.Cuda) Approx.Equal(reference, fast, c.F64 ? 1e-12 : 1e-5, c.F64 ? 1e-12 : 1e-5, $"{c} on CUDA");
            else Assert.True(fast.SequenceEqual(reference), $"{c}: tiled {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
        }
    });

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
            var fast = Run(d, false, () => Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P));
            var reference = Run(d, true, () => Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P));
            Assert.Contains(d.LoadedKernels, m => m.Name == "WeightGradient" && m.DeclaringType?.Name == "Conv3dImplicitGemmKernels");
            if (d.Kind == DeviceKind.Cuda) Approx.Equal(reference, fast, c.F64 ? 1e-12 : 1e-5, c.F64 ? 1e-12 : 1e-5, $"{c} on CUDA");
            else Assert.True(fast.SequenceEqual(reference), $"{c}: tiled {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
        }
    });

    [Property(MaxTest = 40)]
    public Property TheTransposedConvolutionByPhaseEqualsTheGatherReferenceBitForBit() => Prop.ForAll(
        (from c in Cases from op in Gen.Choose(-1, 2) select (c, op: Math.Min(op, c.S - 1))).ToArbitrary(), t =>
    {
        // The phase kernel is what every ILGPU device launches for ConvTranspose3d at strides above 1 (and at stride 1
        // where groups are too small to tile).
        var (c, op) = t;
        int[] ys = [c.N, c.Cy, .. c.X], ws = [c.Cy, c.Cx, c.K, c.K, c.K];
        // The tiling device only where it runs another kernel (stride 1): its 16 simulated threads per group are slow.
        foreach (var d in c.S == 1 ? [Plain.Value, .. Tiling] : Cuda.Value is { } gpu ? [Plain.Value, gpu] : new[] { Plain.Value })
        {
            using var scope = TensorScope.Begin();
            var y = Random(ys, c.F64, c.Seed, d);
            var w = Random(ws, c.F64, c.Seed + 1, d);
            Tensor Op() => Ops.ConvTranspose3d(y, w, c.S, c.P, op);
            double[] fast;
            try { fast = Run(d, false, Op); }
            catch (ShapeException) { return; } // a cropped extent the convolution cannot have come from
            var reference = Run(d, true, Op);
            if (c.S == 1 && !ReferenceEquals(d, Plain.Value))
            {
                // Stride 1 on a tiling device: the tiled GEMM with the flipped kernel sums the taps in reverse order.
                Assert.Contains(d.LoadedKernels, m => m.DeclaringType?.Name == "Conv3dImplicitGemmKernels");
                var (rtol, atol) = c.F64 ? (1e-12, 1e-12) : (1e-5, 1e-5);
                Approx.Equal(reference, fast, rtol, atol, $"{c}, output padding {op}: tiled transposed");
                continue;
            }
            Assert.Contains(d.LoadedKernels, m => m.DeclaringType?.Name == "ConvTransposeByPhaseKernels");
            if (d.Kind == DeviceKind.Cuda)
            {
                Approx.Equal(reference, fast, c.F64 ? 1e-12 : 1e-5, c.F64 ? 1e-12 : 1e-5, $"{c}, output padding {op} on CUDA");
                continue;
            }
            Assert.True(fast.SequenceEqual(reference), $"{c}, output padding {op}: by phase {string.Join(", ", fast.Take(6))} vs reference {string.Join(", ", reference.Take(6))}");
        }
    });

    [Fact]
    public void TheHostBackendHasNoReferenceSwitch()
    {
        Assert.False(TestDevice.Host.ReferenceKernels);
        Assert.Throws<NotSupportedException>(() => TestDevice.Host.ReferenceKernels = true);
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.CreateIlgpuCpu(6));
    }
}
