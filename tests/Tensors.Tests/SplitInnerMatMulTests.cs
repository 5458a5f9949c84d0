using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;
using static VoxelGan.TestSupport.KernelChoice;

namespace VoxelGan.Tensors.Tests;

/// <summary>
/// The lanes-per-output matrix product (<c>MatMulKernels.SplitInner</c>, launched for few outputs over long inner
/// dimensions: the mapping network's) against the one-thread-per-output reference, on ILGPU's CPU accelerator with
/// 16-thread groups and on CUDA where a GPU is visible. The lanes add in another order: equal within rounding.
/// </summary>
public class SplitInnerMatMulTests
{
    private static readonly Lazy<Device> Grouped = new(() => Device.CreateIlgpuCpu(16));

    private static readonly Lazy<Device?> Cuda = new(OwnCudaDevice);

    private static Device[] Devices => Cuda.Value is { } gpu ? [Grouped.Value, gpu] : [Grouped.Value];

    /// <summary>Lanes per output of a device's split product: 32 on CUDA, 16 on the 16-thread CPU accelerator.</summary>
    private static int Lanes(Device d) => d.Kind == DeviceKind.Cuda ? 32 : 16;

    [Property(MaxTest = 20)]
    public Property FewOutputsOverLongInnerDimensionsAgreeWithTheReference() => Prop.ForAll(
        // At most 12 outputs: fewer than the 16 threads the CPU accelerator holds, the launch's condition besides the length.
        (from m in Gen.Choose(1, 3)
         from n in Gen.Choose(1, 2)
         from k in Gen.OneOf(Gen.Choose(1, 40), Gen.Choose(64, 300))
         from batch in Gen.Choose(1, 2)
         from ta in Gen.Elements(true, false)
         from tb in Gen.Elements(true, false)
         from f64 in Gen.Elements(false, true)
         from seed in Gens.Seed
         select (m, n, k, batch, ta, tb, f64, seed)).ToArbitrary(),
        c =>
        {
            int[] sa = c.ta ? [c.batch, c.k, c.m] : [c.batch, c.m, c.k];
            int[] sb = c.tb ? [c.batch, c.n, c.k] : [c.batch, c.k, c.n];
            var rng = new Random(c.seed);
            var a = HostReference.RandomValues(rng, HostReference.Numel(sa));
            var b = HostReference.RandomValues(rng, HostReference.Numel(sb));
            foreach (var d in Devices)
            {
                Tensor Product()
                {
                    var (ta, tb) = (Tensor.FromArray(a, new Shape(sa), d), Tensor.FromArray(b, new Shape(sb), d));
                    return c.f64 ? Ops.MatMul(ta, tb, c.ta, c.tb) : Ops.MatMul(Ops.Cast(ta, DType.Float32), Ops.Cast(tb, DType.Float32), c.ta, c.tb);
                }
                d.Counters.Reset();
                var fast = Run(d, false, Product);
                string expected = c.k >= 4 * Lanes(d) ? "MatMulKernels.SplitInner" : "MatMulKernels.Naive";
                Assert.Contains(d.Counters.LaunchesByKernel(), l => l.Kernel.StartsWith(expected, StringComparison.Ordinal));
                var reference = Run(d, true, Product);
                Approx.Equal(reference, fast, c.f64 ? 1e-12 : 1e-5, c.f64 ? 1e-12 : 1e-4, $"{c} on {d.Kind.Name()}");
            }
        });
}
