using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Layers.Tests;

public class LayerTests
{
    private static Device D => TestDevice.Instance;

    public static TheoryData<string> BiasedLayers() => ["dense", "conv", "conv_transpose"];

    [Theory]
    [MemberData(nameof(BiasedLayers))]
    public void ABiasedLayerAndItsLeakyReluFusedGiveTheUnfusedValuesAndGradients(string kind)
    {
        // Sequential runs the bias add and the activation as one launch; the values and the first and second
        // derivatives (the penalty's double backward) must be those of the layer followed by LeakyReLU.
        using var scope = TensorScope.Begin();
        var rng = new RandomGenerator(3);
        Layer layer = kind switch
        {
            "dense" => new Dense(5, 4, rng, DType.Float32, D),
            "conv" => new Conv3d(2, 3, 3, rng, device: D),
            _ => ConvTranspose3d.Same(2, 3, 3, 2, rng, device: D),
        };
        using var _ = layer;
        foreach (var (_, p) in layer.NamedParameters().Where(p => p.Name == "bias"))
            Ops.CopyInto(p.Data, Ops.Cast(Tensor.FromArray(Enumerable.Range(0, p.Shape.Numel).Select(i => 0.3 * (i % 3 - 1.0)).ToArray(), p.Shape, D), DType.Float32));
        using var fused = new Sequential(layer, new LeakyRelu(0.2));
        int[] shape = kind == "dense" ? [3, 5] : [2, 2, 4, 4, 4];
        var rand = new Random(5);
        var xData = Ops.Cast(Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => rand.NextDouble() * 2 - 1).ToArray(), new Shape(shape), D), DType.Float32);

        (float[] Y, float[][] Grads) Run(Func<Var, Var> f)
        {
            var x = new Var(xData, requiresGrad: true);
            var y = f(x);
            // The penalty's form: the gradient with respect to the input, then its square backpropagated to the weights.
            var gx = Gradients.Of(Sum(y * y), x, createGraph: true);
            var targets = layer.Parameters().ToArray();
            var grads = Gradients.Of([Sum(gx * gx)], targets);
            return (y.Data.ToArray<float>(), [gx.Data.ToArray<float>(), .. grads.Select(g => g.Data.ToArray<float>())]);
        }

        var a = Run(fused.Forward);
        var b = Run(x => LeakyRelu(layer.Forward(x), 0.2));
        Assert.Equal(b.Y, a.Y);
        Assert.Contains(a.Y, v => v < 0);
        for (int k = 0; k < a.Grads.Length; k++) Approx.Equal(b.Grads[k].Select(v => (double)v).ToArray(), a.Grads[k].Select(v => (double)v).ToArray(), 1e-5, 1e-6, $"{kind} gradient {k}");
    }

    [Fact]
    public void AConvolutionWithItsResidualAndActivationFusedGivesTheSeparateOpsValuesAndGradients()
    {
        // The critic block's tail: LeakyReLU(conv2(h) + skip(x)) with conv2's bias, all in conv2's launch; values and
        // the penalty's first and second derivatives against the sum and BiasLeakyRelu, bit for bit.
        using var scope = TensorScope.Begin();
        var rng = new RandomGenerator(4);
        using var conv = new Conv3d(2, 3, 3, rng, device: D);
        using var skip = new Conv3d(2, 3, 1, rng, device: D);
        foreach (var layer in new[] { conv, skip })
            Ops.CopyInto(layer.Bias.Data, Ops.Cast(Tensor.FromArray([0.3, -0.2, 0.1], new Shape(3), D), DType.Float32));
        var rand = new Random(6);
        var xData = Ops.Cast(Tensor.FromArray(Enumerable.Range(0, 2 * 2 * 64).Select(_ => rand.NextDouble() * 2 - 1).ToArray(), new Shape(2, 2, 4, 4, 4), D), DType.Float32);
        Var[] targets = [.. conv.Parameters(), .. skip.Parameters()];

        (float[] Y, float[][] Grads) Run(Func<Var, Var> f)
        {
            var x = new Var(xData, requiresGrad: true);
            var y = f(x);
            var gx = Gradients.Of(Sum(y * y), x, createGraph: true);
            var grads = Gradients.Of([Sum(gx * gx)], targets);
            return (y.Data.ToArray<float>(), [gx.Data.ToArray<float>(), .. grads.Select(g => g.Data.ToArray<float>())]);
        }

        var fused = Run(x => conv.ForwardEpilogue(x, skip.Forward(x), 0.2));
        var separate = Run(x => BiasLeakyRelu(conv.ForwardWithoutBias(x) + (skip.ForwardWithoutBias(x) + Reshape(skip.Bias, 1, 3, 1, 1, 1)), conv.Bias, 0.2));
        Assert.Equal(separate.Y, fused.Y);
        Assert.Contains(fused.Y, v => v < 0);
        for (int k = 0; k < fused.Grads.Length; k++) Assert.Equal(separate.Grads[k], fused.Grads[k]);
    }

    [Fact]
    public void DenseComputesXWTransposedPlusB()
    {
        using var scope = TensorScope.Begin();
        using var dense = new Dense(3, 2, new RandomGenerator(1), DType.Float64, D);
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, -1, 0, 1 }, new Shape(2, 3), D);
        var w = dense.Weight.Data.ToArray<double>();
        var y = dense.Forward(new Var(x)).Data.ToArray<double>();
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 2; o++)
                Assert.Equal(Enumerable.Range(0, 3).Sum(i => x.ToArray<double>()[n * 3 + i] * w[o * 3 + i]), y[n * 2 + o], 12);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(1, 2)]
    [InlineData(1, 4)]
    [InlineData(1, 8)]
    [InlineData(3, 1)]
    public void SameTransposedConvolutionsMultiplyTheEdgeByTheStride(int kernel, int stride)
    {
        using var scope = TensorScope.Begin();
        using var layer = ConvTranspose3d.Same(2, 3, kernel, stride, new RandomGenerator(1), device: D);
        var y = layer.Forward(new Var(Tensor.Zeros(new Shape(1, 2, 2, 2, 2), device: D)));
        Assert.Equal(new[] { 1, 3, 2 * stride, 2 * stride, 2 * stride }, y.Shape.ToArray());
    }

    /// <summary>
    /// Written from TensorFlow's definitions, not from our kernels: Conv3DTranspose(padding='same') computes the
    /// gradient of a 'same' Conv3D from an output of n_out = m s voxels to its m-voxel input; that Conv3D pads
    /// total = max((m - 1) s + K - n_out, 0) voxels, floor(total / 2) of them before (tf.nn.convolution's
    /// 'SAME'). So input voxel i adds W[k] to output i s + k - before, k in [0, K), and the output has m s voxels.
    /// For PyTorch's convention 'before' is the layer's padding ceil((K - s) / 2).
    /// </summary>
    private static double[] SameTransposedReference(double[] x, double[] w, double[] bias, int cin, int cout, int m, int k, int s, int before)
    {
        int n = m * s;
        var y = new double[cout * n * n * n];
        for (int co = 0; co < cout; co++)
            for (int v = 0; v < n * n * n; v++) y[co * n * n * n + v] = bias[co];
        for (int ci = 0; ci < cin; ci++)
            for (int co = 0; co < cout; co++)
                for (int id = 0; id < m; id++) for (int ih = 0; ih < m; ih++) for (int iw = 0; iw < m; iw++)
                    for (int kd = 0; kd < k; kd++) for (int kh = 0; kh < k; kh++) for (int kw = 0; kw < k; kw++)
                    {
                        int od = id * s + kd - before, oh = ih * s + kh - before, ow = iw * s + kw - before;
                        if (od < 0 || od >= n || oh < 0 || oh >= n || ow < 0 || ow >= n) continue;
                        y[((co * n + od) * n + oh) * n + ow] += x[((ci * m + id) * m + ih) * m + iw] * w[(((ci * cout + co) * k + kd) * k + kh) * k + kw];
                    }
        return y;
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(2, 2)]
    [InlineData(1, 2)]
    [InlineData(1, 4)]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    public void SameTransposedConvolutionsMatchTheirFrameworksDefinitions(int kernel, int stride)
    {
        using var scope = TensorScope.Begin();
        const int cin = 2, cout = 2, m = 3;
        var rng = new Random(kernel * 10 + stride);
        var x = Enumerable.Range(0, cin * m * m * m).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var bias = new[] { 0.25, -0.5 };
        foreach (var convention in new[] { SameConvention.TensorFlow, SameConvention.PyTorch })
        {
            using var layer = ConvTranspose3d.Same(cin, cout, kernel, stride, new RandomGenerator(3), DType.Float64, D, convention);
            Ops.CopyInto(layer.Bias.Data, Tensor.FromArray(bias, new Shape(cout), D));
            int total = Math.Max((m - 1) * stride + kernel - m * stride, 0);
            int before = convention == SameConvention.TensorFlow ? total / 2 : (total + 1) / 2;
            var expected = SameTransposedReference(x, layer.Weight.Data.ToArray<double>(), bias, cin, cout, m, kernel, stride, before);
            var y = layer.Forward(new Var(Tensor.FromArray(x, new Shape(1, cin, m, m, m), D)));
            Assert.Equal(new[] { 1, cout, m * stride, m * stride, m * stride }, y.Shape.ToArray());
            Approx.Equal(expected, y.Data.ToArray<double>(), 1e-12, 1e-12, $"{convention} k {kernel} s {stride}");
        }
    }

    [Fact]
    public void TheGeneratorsTransposedConvolutionPlacesTheKernelCentreOnTheOddVoxelInTensorFlowsConvention()
    {
        // The authors' (Keras) layer: input voxel i reaches outputs 2i, 2i+1, 2i+2; PyTorch's usual choice 2i-1, 2i, 2i+1.
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { 0.0, 1, 0, 0, 0, 0, 0, 0 }, new Shape(1, 1, 2, 2, 2), D); // voxel (0, 0, 1)
        foreach (var (convention, first) in new[] { (SameConvention.TensorFlow, 2), (SameConvention.PyTorch, 1) })
        {
            using var layer = ConvTranspose3d.Same(1, 1, 3, 2, new RandomGenerator(5), DType.Float64, D, convention);
            var y = layer.Forward(new Var(x)).Data.ToArray<double>();
            var touched = Enumerable.Range(0, 4).Where(w => y[w] != 0).ToArray(); // row (d 0, h 0)
            Assert.Equal(Enumerable.Range(first, 4 - first).ToArray(), touched);
        }
    }

    [Fact]
    public void A1x1StridedTransposedConvolutionPlacesEachVoxelOnEveryStrideThVoxel()
    {
        // DESIGN.md section 3: for k = 1 each voxel of w lands on every stride-th voxel, the rest get the bias.
        using var scope = TensorScope.Begin();
        using var layer = ConvTranspose3d.Same(1, 1, 1, 4, new RandomGenerator(1), DType.Float64, D);
        double w = layer.Weight.Data.Item();
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }, new Shape(1, 1, 2, 2, 2), D);
        var y = layer.Forward(new Var(x)).Data.ToArray<double>();
        for (int d = 0; d < 8; d++)
            for (int h = 0; h < 8; h++)
                for (int v = 0; v < 8; v++)
                {
                    double expected = d % 4 == 0 && h % 4 == 0 && v % 4 == 0 ? w * (1 + (d / 4) * 4 + (h / 4) * 2 + v / 4) : 0;
                    Assert.Equal(expected, y[(d * 8 + h) * 8 + v], 12);
                }
    }

    [Fact]
    public void SameConvolutionKeepsTheEdge()
    {
        using var scope = TensorScope.Begin();
        using var conv = new Conv3d(2, 4, 3, new RandomGenerator(1), device: D);
        Assert.Equal(new[] { 2, 4, 5, 6, 7 }, conv.Forward(new Var(Tensor.Zeros(new Shape(2, 2, 5, 6, 7), device: D))).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => new Conv3d(2, 4, 2, new RandomGenerator(1), device: D));
    }

    [Fact]
    public void ScaledTanhMapsOntoTheDataRange()
    {
        using var scope = TensorScope.Begin();
        var y = new ScaledTanh(-0.5, 2).Forward(new Var(Tensor.FromArray(new[] { -50.0, 0, 50 }, device: D))).Data.ToArray<double>();
        Assert.Equal(new[] { -0.5, 0.75, 2 }, y.Select(v => Math.Round(v, 12)));
    }

    /// <summary>
    /// A residual critic block as in DESIGN.md section 3 (r = conv1x1(x); h = conv3(leaky(conv3(x)));
    /// leaky(h + r), then average pooling), flattened into a dense layer: the gradient penalty's
    /// weight-gradient through it matches finite differences, so convolutions, pooling and the dense
    /// layer all differentiate correctly to second order inside a real layer stack.
    /// </summary>
    [Fact]
    public void GradientPenaltyThroughAResidualCriticBlockMatchesFiniteDifferences()
    {
        using var scope = TensorScope.Begin();
        var rng = new RandomGenerator(3);
        using var r = new Conv3d(1, 2, 1, rng, dtype: DType.Float64, device: D);
        using var c1 = new Conv3d(1, 2, 3, rng, dtype: DType.Float64, device: D);
        using var c2 = new Conv3d(2, 2, 3, rng, dtype: DType.Float64, device: D);
        using var dense = new Dense(2, 1, rng, DType.Float64, D);
        var x = Ops.Normal(new Shape(2, 1, 2, 2, 2), new RandomGenerator(8), dtype: DType.Float64, device: D);
        var weights = new[] { c1.Weight.Data, c1.Bias.Data, c2.Weight.Data, dense.Weight.Data }.Select(t => Ops.Clone(t)).ToArray();

        Var Critic(Var input, Var[] w)
        {
            var h = LeakyRelu(Conv3d(input, w[0], 1, 1) + Reshape(w[1], 1, -1, 1, 1, 1), 0.3);
            h = Conv3d(h, w[2], 1, 1) + Reshape(c2.Bias, 1, -1, 1, 1, 1);
            var block = AvgPool3d(LeakyRelu(h + r.Forward(input), 0.3), 2);
            return dense.Forward(Reshape(block, 2, -1));
        }

        var result = GradCheck.Check(w =>
        {
            var xv = new Var(x, requiresGrad: true);
            var g = Gradients.Of([Sum(Critic(xv, w))], [xv], createGraph: true)[0];
            return Mean(Square(Sqrt(Sum(Reshape(Square(g), 2, -1), 1)) - 1.0));
        }, weights, atol: 1e-7, rtol: 1e-5);
        Assert.True(result.Passed, result.Worst);
    }
}
