using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Layers.Tests;

/// <summary>
/// Upsample3d(2) then a kernel-3 'same' convolution (the generator's resize-convolution) runs as one transposed convolution
/// with a folded kernel (<see cref="Functional.UpsampleConv3d"/>); it must be the same function as the two layers.
/// </summary>
public class UpsampleConvTests
{
    private static Device D => TestDevice.Instance;

    private static Tensor Values(Random rng, params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => rng.NextDouble() * 2 - 1).ToArray(), new Shape(shape), D);

    [Property(MaxTest = 25)]
    public Property TheFusedFormGivesTheCompositionsValuesAndGradients() => Prop.ForAll(
        (from batch in Gen.Choose(1, 2)
         from cin in Gen.Choose(1, 3)
         from cout in Gen.Choose(1, 3)
         from extents in Gen.ArrayOf(Gen.Choose(1, 4), 3)
         from activation in Gen.Elements(true, false)
         from seed in Gen.Choose(0, 1000)
         select (batch, cin, cout, extents, activation, seed)).ToArbitrary(), c =>
    {
        using var scope = TensorScope.Begin();
        var rng = new Random(c.seed);
        using var conv = new Conv3d(c.cin, c.cout, 3, new RandomGenerator((ulong)c.seed), dtype: DType.Float64, device: D);
        Ops.CopyInto(conv.Bias.Data, Values(rng, c.cout));
        Layer[] layers = c.activation ? [new Upsample3d(2), conv, new LeakyRelu(0.2)] : [new Upsample3d(2), conv];
        var fused = new Sequential(layers);
        var xData = Values(rng, [c.batch, c.cin, .. c.extents]);
        var weights = Values(rng, [c.batch, c.cout, .. c.extents.Select(e => 2 * e)]);

        double[][] Run(Func<Var, Var> f)
        {
            var x = new Var(xData, requiresGrad: true);
            var y = f(x);
            var grads = Gradients.Of([Sum(y * new Var(weights))], [x, conv.Weight, conv.Bias]);
            return [y.Data.ToArray<double>(), .. grads.Select(g => g.Data.ToArray<double>())];
        }

        var a = Run(fused.Forward);
        var b = Run(x =>
        {
            var y = conv.Forward(Upsample3d(x, 2, 1.0));
            return c.activation ? LeakyRelu(y, 0.2) : y;
        });
        string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
        for (int k = 0; k < a.Length; k++) Approx.Equal(b[k], a[k], 1e-12, 1e-12, $"{names[k]} for {c}");
    });

    [Fact]
    public void TheFusedFormRunsNoUpsamplingAndOneTransposedConvolution()
    {
        // On ILGPU's CPU accelerator the launches are counted: the fusion must have replaced the upsampled grid.
        using var device = Device.CreateIlgpuCpu(4);
        using var scope = TensorScope.Begin();
        var rng = new RandomGenerator(1);
        using var block = new Sequential(new Upsample3d(2), new Conv3d(2, 3, 3, rng, device: device), new LeakyRelu(0.2));
        var x = new Var(Ops.Cast(Tensor.FromArray(Enumerable.Range(0, 2 * 27).Select(i => Math.Sin(i)).ToArray(), new Shape(1, 2, 3, 3, 3), device), DType.Float32));
        using (var warm = TensorScope.Begin()) block.Forward(x);
        device.Counters.Reset();
        var y = block.Forward(x);
        Assert.Equal([1, 3, 6, 6, 6], y.Shape.ToArray());
        var kernels = device.Counters.LaunchesByKernel().Select(k => k.Kernel).ToArray();
        Assert.DoesNotContain(kernels, k => k.Contains("Upsample", StringComparison.Ordinal));
        Assert.Contains(kernels, k => k.Contains("Transposed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(3, 1)]
    public void OnlyAFactorOf2BeforeAKernel3SameConvolutionFuses(int kernel, int padding)
    {
        using var conv = new Conv3d(1, 1, kernel, new RandomGenerator(1), padding: padding, device: D);
        Assert.Equal(padding == 1, conv.FusesUpsample(2));
        Assert.False(conv.FusesUpsample(3));
    }

    [Fact]
    public void AKernelThatIsNot3x3x3IsRefusedByName()
    {
        using var scope = TensorScope.Begin();
        var x = new Var(Tensor.Zeros(new Shape(1, 1, 2, 2, 2), DType.Float64, D));
        var w = new Var(Tensor.Zeros(new Shape(1, 1, 5, 5, 5), DType.Float64, D));
        var e = Assert.Throws<ShapeException>(() => UpsampleConv3d(x, w));
        Assert.Contains("[1, 1, 5, 5, 5]", e.Message);
    }
}
