using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;
using static VoxelGan.TestSupport.KernelChoice;

namespace VoxelGan.Tensors.Tests;

/// <summary>
/// A layer's epilogue (bias, residual, LeakyReLU applied as the output is stored) against the separate ops it
/// replaces (the plain convolution or product, an add, <see cref="Ops.BiasLeakyRelu"/>), on every backend and kernel:
/// the host backend, the gather references and the tiled implicit GEMM on ILGPU's CPU accelerator (with split-K forced
/// on some cases, where the last slice applies it), the naive and the lane-split product, and CUDA where a GPU is
/// visible. The additions happen in the same order, so the same bits.
/// </summary>
public class LayerEpilogueTests
{
    /// <summary>16-thread groups, this class's own: the split-K threshold is switched on it.</summary>
    private static readonly Lazy<Device> Grouped = new(() => Device.CreateIlgpuCpu(16));
    private static readonly Lazy<Device?> Cuda = new(OwnCudaDevice);

    /// <summary>
    /// A convolution (<see cref="Transposed"/>: a transposed one from X, with Cx input and Cy output channels and an
    /// output padding of S - 1, and kernels up to 4 at strides up to 3, so the phase GEMM, the 1 x 1 GEMM and its
    /// spread, and the phase gather all run) and its epilogue.
    /// </summary>
    private sealed record Case(bool Transposed, int N, int Cx, int Cy, int[] X, int K, int S, int P, bool F64, bool Bias, bool Residual, double? Slope, bool Split, int Seed)
    {
        public override string ToString() =>
            $"{(Transposed ? "transposed " : "")}N {N} Cx {Cx} Cy {Cy} X {string.Join("x", X)} K {K} S {S} P {P} {(F64 ? "f64" : "f32")} bias {Bias} residual {Residual} slope {Slope?.ToString() ?? "none"} split {Split} seed {Seed}";

        public int[] InputShape => [N, Cx, .. X];

        public int[] WeightShape => Transposed ? [Cx, Cy, K, K, K] : [Cy, Cx, K, K, K];

        public int[] OutputPadding => [S - 1, S - 1, S - 1];

        public Shape OutputShape => Transposed
            ? Shape.ConvTranspose3d(new Shape(InputShape), new Shape(WeightShape), S, P, OutputPadding)
            : Shape.Conv3d(new Shape(InputShape), new Shape(WeightShape), S, P);

        public Tensor Run(Tensor x, Tensor w, LayerEpilogue e = default) => Transposed
            ? Ops.ConvTranspose3d(x, w, S, P, OutputPadding, e)
            : Ops.Conv3d(x, w, S, P, epilogue: e);
    }

    private static Gen<Case> Cases =>
        from transposed in Gen.Elements(false, true)
        from k in Gen.Choose(1, transposed ? 4 : 3)
        from s in Gen.Choose(1, transposed ? 3 : 2)
        from p in Gen.Choose(0, transposed ? (k - 1) / 2 : k - 1)
        from n in Gen.Choose(1, 2)
        from cx in Gen.Choose(1, 5)
        from cy in Gen.Frequency((4, Gen.Choose(1, 6)), (1, Gen.Choose(17, 20)))
        from extents in Gen.ArrayOf(Gen.Choose(Math.Max(1, k - 2 * p), 5), 3)
        from f64 in Gen.Elements(false, true)
        from bias in Gen.Elements(false, true)
        from residual in Gen.Elements(false, true)
        from slope in Gen.Elements<double?>(null, 0.0, 0.2)
        from split in Gen.Elements(false, true)
        from seed in Gens.Seed
        select new Case(transposed, n, cx, cy, extents, k, s, p, f64, bias, residual, slope, split, seed);

    private static Tensor Random(int[] shape, bool f64, int seed, Device device)
    {
        var values = HostReference.RandomValues(new Random(seed), HostReference.Numel(shape));
        var t = Tensor.FromArray(values, new Shape(shape), device);
        return f64 ? t : Ops.Cast(t, DType.Float32);
    }

    /// <summary>The case's operands on <paramref name="d"/>: x, w, and the epilogue's bias and residual where drawn.</summary>
    private static (Tensor X, Tensor W, LayerEpilogue Epilogue) Operands(Case c, Device d)
    {
        var bias = c.Bias ? Random([c.Cy], c.F64, c.Seed + 2, d) : null;
        var residual = c.Residual ? Random(c.OutputShape.ToArray(), c.F64, c.Seed + 3, d) : null;
        return (Random(c.InputShape, c.F64, c.Seed, d), Random(c.WeightShape, c.F64, c.Seed + 1, d), new LayerEpilogue(bias, residual, c.Slope));
    }

    /// <summary>The convolution, then the epilogue as separate ops.</summary>
    private static Tensor Separately(Case c, Tensor x, Tensor w, LayerEpilogue e) => Separately(c.Run(x, w), e);

    /// <summary>The residual add, then the bias (broadcast along axis 1) and the activation, each its own op, on <paramref name="y"/>.</summary>
    private static Tensor Separately(Tensor y, LayerEpilogue e)
    {
        if (e.Residual is { } r) y = Ops.Add(y, r);
        using var b = e.Bias?.Reshape([1, -1, .. Enumerable.Repeat(1, y.Rank - 2)]);
        return (b, e.Slope) switch
        {
            ({ }, { } s) => Ops.BiasLeakyRelu(y, b, s),
            ({ }, null) => Ops.Add(y, b),
            (null, { } s) => Ops.LeakyRelu(y, s),
            (null, null) => y,
        };
    }

    /// <summary><see cref="KernelChoice.Run"/> on an ILGPU device; the host backend has one kernel per op.</summary>
    private static double[] Values(Device d, bool reference, Func<Tensor> op)
    {
        if (d.Kind != DeviceKind.Cpu) return Run(d, reference, op);
        using var scope = TensorScope.Begin();
        return op().ToDoubleArray();
    }

    [Property(MaxTest = 30)]
    public Property TheFusedEpilogueEqualsTheSeparateOpsBitForBit() => Prop.ForAll(Cases.ToArbitrary(), Check);

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void FineVoxelsWithoutATapGetTheEpilogueToo(int channels)
    {
        // Kernel 1 at stride 2: seven of every eight fine voxels receive no tap; the phase gather (2 channels) and the
        // spread of the 1 x 1 GEMM (5) store act(0 + residual + bias) there.
        Check(new Case(true, 2, 3, channels, [3, 2, 3], 1, 2, 0, false, true, true, 0.2, false, 12));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SplitKAppliesTheEpilogueToTheSummedSlices(bool transposed)
    {
        // A 2^3 grid of 16 channels into 8 (kernel 3: 27 steps of 16 inner indices): with the threshold raised, the
        // tiled kernel splits its inner dimension, and the last slice of each block applies the epilogue to the sum.
        Check(new Case(transposed, 1, 16, 8, [2, 2, 2], 3, transposed ? 2 : 1, 1, false, true, true, 0.2, true, 13));
    }

    private static void Check(Case c)
    {
        var runs = new List<(Device Device, bool Reference)> { (TestDevice.Host, false), (Grouped.Value, false), (Grouped.Value, true) };
        if (Cuda.Value is { } gpu) runs.Add((gpu, false));
        foreach (var (d, reference) in runs)
        {
            using var scope = TensorScope.Begin();
            var (x, w, e) = Operands(c, d);
            int threshold = d.SplitKBelowGroups;
            if (c.Split && d.Kind != DeviceKind.Cpu) d.SplitKBelowGroups = 64;
            try
            {
                var fused = Values(d, reference, () => c.Run(x, w, e));
                var separate = Values(d, reference, () => Separately(c, x, w, e));
                string what = $"{c} on {d.Kind.Name()}{(reference ? " (reference kernels)" : "")}";
                // A GPU may contract a*b+c differently in two kernels: within rounding there.
                if (d.Kind == DeviceKind.Cuda) Approx.Equal(separate, fused, c.F64 ? 1e-12 : 1e-5, c.F64 ? 1e-12 : 1e-5, what);
                else Assert.True(fused.SequenceEqual(separate), $"{what}: fused {string.Join(", ", fused.Take(6))} vs separate {string.Join(", ", separate.Take(6))}");
            }
            finally
            {
                if (c.Split && d.Kind != DeviceKind.Cpu) d.SplitKBelowGroups = threshold;
            }
        }
    }

    [Fact]
    public void OneLaunchDoesTheConvolutionAndItsEpilogue()
    {
        var d = Grouped.Value;
        foreach (int channels in new[] { 2, 8 })
        {
            using var scope = TensorScope.Begin();
            foreach (bool transposed in new[] { false, true })
            {
                var c = new Case(transposed, 2, 3, channels, [4, 4, 4], 3, 1 + (transposed ? 1 : 0), 1, false, true, true, 0.2, false, 11);
                var (x, w, e) = Operands(c, d);
                d.Counters.Reset();
                c.Run(x, w, e);
                Assert.Equal(1, d.Counters.Launches);
            }
        }
    }

    [Property(MaxTest = 20)]
    public Property TheProductEpilogueEqualsTheSeparateOpsBitForBit() => Prop.ForAll(
        (from m in Gen.Choose(1, 9) from k in Gen.Frequency((2, Gen.Choose(0, 8)), (1, Gen.Choose(64, 130))) from n in Gen.Frequency((1, Gen.Choose(1, 4)), (1, Gen.Choose(5, 20)))
         from f64 in Gen.Elements(false, true) from bias in Gen.Elements(false, true) from residual in Gen.Elements(false, true)
         from slope in Gen.Elements<double?>(null, 0.0, 0.3) from seed in Gens.Seed
         select (m, k, n, f64, bias, residual, slope, seed)).ToArbitrary(), c =>
    {
        // x [M, K] times w [N, K] transposed (a dense layer); K from 64 on and fewer than 16 outputs runs the lane-split
        // product on 16-thread groups, K = 0 stores the epilogue of zeros.
        CheckProduct(c.m, c.k, c.n, c.f64, c.bias, c.residual, c.slope, c.seed);
    });

    [Theory]
    [InlineData(2, 80, 3)]
    [InlineData(3, 0, 4)]
    public void TheLaneSplitProductAndAnEmptyInnerDimensionApplyTheEpilogue(int m, int k, int n)
    {
        // 6 outputs over 80 terms: the lane-split product on 16-thread groups; K = 0: the epilogue of zeros.
        Grouped.Value.Counters.Reset();
        CheckProduct(m, k, n, false, true, true, 0.2, 14);
        if (k > 0) Assert.Contains(Grouped.Value.Counters.LaunchesByKernel(), l => l.Kernel.StartsWith("MatMulKernels.SplitInner", StringComparison.Ordinal));
    }

    private static void CheckProduct(int m, int k, int n, bool f64, bool withBias, bool withResidual, double? slope, int seed)
    {
        var runs = new List<Device> { TestDevice.Host, TestDevice.IlgpuCpu, Grouped.Value };
        if (Cuda.Value is { } gpu) runs.Add(gpu);
        var c = (m, k, n, f64, bias: withBias, residual: withResidual, slope, seed);
        foreach (var d in runs)
        {
            using var scope = TensorScope.Begin();
            var x = Random([c.m, c.k], c.f64, c.seed, d);
            var w = Random([c.n, c.k], c.f64, c.seed + 1, d);
            var e = new LayerEpilogue(c.bias ? Random([c.n], c.f64, c.seed + 2, d) : null, c.residual ? Random([c.m, c.n], c.f64, c.seed + 3, d) : null, c.slope);
            var fused = Ops.MatMul(x, w, transposeB: true, epilogue: e).ToDoubleArray();
            var separate = Separately(Ops.MatMul(x, w, transposeB: true), e);
            string what = $"{c} on {d.Kind.Name()}";
            if (d.Kind == DeviceKind.Cuda) Approx.Equal(separate.ToDoubleArray(), fused, 1e-5, 1e-5, what);
            else Assert.True(fused.SequenceEqual(separate.ToDoubleArray()), $"{what}: fused {string.Join(", ", fused.Take(6))} vs separate {string.Join(", ", separate.ToDoubleArray().Take(6))}");
        }
    }

    [Fact]
    public void AProductEpilogueNeedsAMatrix()
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.Zeros(new Shape(2, 3, 4), DType.Float32, TestDevice.Host);
        var b = Tensor.Zeros(new Shape(4, 5), DType.Float32, TestDevice.Host);
        var error = Assert.Throws<ShapeException>(() => Ops.MatMul(a, b, epilogue: new(Slope: 0.2)));
        Assert.Contains("needs a product [M, N]", error.Message);
        Assert.Throws<ShapeException>(() => Ops.MatMul(b.Reshape(4, 5), Tensor.Zeros(new Shape(5, 2), DType.Float32, TestDevice.Host), epilogue: new(Bias: Tensor.Zeros(new Shape(5), DType.Float32, TestDevice.Host))));
    }

    [Fact]
    public void AnEpilogueThatDoesNotFitIsRefusedBeforeAnyLaunch()
    {
        var d = Grouped.Value;
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros(new Shape(1, 2, 4, 4, 4), DType.Float32, d);
        var w = Tensor.Zeros(new Shape(3, 2, 3, 3, 3), DType.Float32, d);
        var narrowBias = Tensor.Zeros(new Shape(2), DType.Float32, d);
        var shortResidual = Tensor.Zeros(new Shape(1, 3, 4, 4, 3), DType.Float32, d);
        var doubleBias = Tensor.Zeros(new Shape(3), DType.Float64, d);
        long before = d.Counters.Launches;
        var bias = Assert.Throws<ShapeException>(() => Ops.Conv3d(x, w, 1, 1, epilogue: new(Bias: narrowBias)));
        Assert.Contains("bias must be [3]", bias.Message);
        var residual = Assert.Throws<ShapeException>(() => Ops.Conv3d(x, w, 1, 1, epilogue: new(Residual: shortResidual)));
        Assert.Contains("residual must have the output's shape [1, 3, 4, 4, 4]", residual.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Conv3d(x, w, 1, 1, epilogue: new(Slope: -0.1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Conv3d(x, w, 1, 1, epilogue: new(Slope: double.NaN)));
        var dtype = Assert.Throws<ArgumentException>(() => Ops.Conv3d(x, w, 1, 1, epilogue: new(Bias: doubleBias)));
        Assert.Contains("dtypes differ", dtype.Message);
        Assert.Equal(before, d.Counters.Launches);
    }
}
