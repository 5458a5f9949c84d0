using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Autograd.Tests;

public class EngineTests
{
    private static Device D => TestDevice.Instance;

    private static Var Leaf(params double[] values) => new(Tensor.FromArray(values, device: D), requiresGrad: true);

    [Property(MaxTest = 30)]
    public Property ScaleGradientIsTheIdentityForwardAndScalesTheFiniteDifferenceGradient() => Prop.ForAll(
        (from shape in Gens.Shape(maxRank: 3, maxExtent: 4) from f in Gen.Elements(0.125, 0.5, 3.0, 1024.0) from seed in Gens.Seed select (shape, f, seed)).ToArbitrary(), t =>
    {
        // Loss scaling per optimizer rescales the gradient at a boundary: the value passes unchanged, the
        // gradient is factor times that of the identity, which is itself checked against central differences.
        var (shape, factor, seed) = t;
        using var scope = TensorScope.Begin();
        var rng = new Random(seed);
        int numel = HostReference.Numel(shape);
        var x = Tensor.FromArray(HostReference.RandomValues(rng, numel), new Shape(shape), D);
        var w = new Var(Tensor.FromArray(HostReference.RandomValues(rng, numel), new Shape(shape), D));
        GradCheck.Assert(v => Sum(v[0] * w), [x], "sum(x w)");
        var leaf = new Var(x, requiresGrad: true);
        var y = ScaleGradient(leaf, factor);
        Assert.Equal(x.ToArray<double>(), y.Data.ToArray<double>());
        var g = Gradients.Of([Sum(y * w)], [leaf])[0];
        var expected = w.Data.ToArray<double>().Select(v => v * factor).ToArray();
        Assert.Equal(expected, g.Data.ToArray<double>());
    });

    [Fact]
    public void BackwardAccumulatesIntoLeavesAcrossCalls()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(1, 2, 3);
        Sum(x * x).Backward();
        Assert.Equal(new[] { 2.0, 4, 6 }, x.Grad!.ToArray<double>());
        Sum(x * 3.0).Backward();
        Assert.Equal(new[] { 5.0, 7, 9 }, x.Grad!.ToArray<double>());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void LeafGradientsSurviveTheScopeOfTheStep()
    {
        var x = new Var(Tensor.FromArray(new[] { 1.0, 2 }, device: D).Detach(), requiresGrad: true);
        using (TensorScope.Begin()) Sum(Exp(x)).Backward();
        Assert.False(x.Grad!.IsDisposed);
        // Within rounding of exp itself: the CUDA device exp differs from the host in the last bits.
        Approx.Equal(new[] { Math.Exp(1), Math.Exp(2) }, x.Grad.ToArray<double>(), 1e-14, 0, "d exp(x) / dx");
        x.Dispose();
    }

    [Fact]
    public void TemporaryLeavesLoseTheirGradientWithTheirScope()
    {
        int live = D.LiveTensors;
        using (TensorScope.Begin())
        {
            var x = Leaf(1, 2);
            Sum(x * x).Backward();
            Sum(x * x).Backward();
            Assert.Equal(new[] { 4.0, 8 }, x.Grad!.ToArray<double>());
        }
        Assert.Equal(live, D.LiveTensors);
    }

    [Fact]
    public void ASharedInputReceivesTheSumOfItsPaths()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(0.5);
        var y = Tanh(x) * x + Exp(x) * x; // diamond: x feeds four edges
        var g = Gradients.Of(y, x).Data.Item();
        double t = Math.Tanh(0.5), e = Math.Exp(0.5);
        Assert.Equal((1 - t * t) * 0.5 + t + e * 0.5 + e, g, 12);
    }

    [Fact]
    public void ASecondBackwardThroughAFreedGraphIsAClearError()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(1, 2);
        var y = Sum(Exp(x));
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("retainGraph", e.Message);
    }

    [Fact]
    public void BackwardIsReentrantAndLinearInTheOutputGradient()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(0.3, -0.7, 1.1);
        var y = Tanh(x) * Sigmoid(x);
        var ones = new Var(Tensor.Full(new Shape(3), 1, DType.Float64, D));
        var threes = new Var(Tensor.Full(new Shape(3), 3, DType.Float64, D));
        var g1 = Gradients.Of([y], [x], [ones], retainGraph: true)[0].Data.ToArray<double>();
        var g2 = Gradients.Of([y], [x], [ones], retainGraph: true)[0].Data.ToArray<double>();
        var g3 = Gradients.Of([y], [x], [threes])[0].Data.ToArray<double>();
        Assert.Equal(g1, g2);
        for (int i = 0; i < 3; i++) Assert.Equal(3 * g1[i], g3[i], 12);
    }

    [Fact]
    public void NonScalarOutputsNeedAnExplicitGradient()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(1, 2);
        var e = Assert.Throws<ShapeException>(() => Exp(x).Backward());
        Assert.Contains("[2]", e.Message);
        Assert.Throws<ShapeException>(() => Gradients.Of([Exp(x)], [x], [new Var(Tensor.Zeros(new Shape(3), DType.Float64, D))]));
    }

    [Fact]
    public void NoGradBuildsNoGraph()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(1, 2);
        Var y;
        using (GradMode.NoGrad()) y = Exp(x) * x;
        Assert.True(y.IsLeaf);
        Assert.False(y.RequiresGrad);
        Assert.True(GradMode.Enabled);
        Assert.Throws<InvalidOperationException>(() => Sum(y).Backward());
    }

    [Fact]
    public void UnusedInputsGetZeroGradients()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(1, 2);
        var unused = Leaf(5, 6, 7);
        var g = Gradients.Of([Sum(x)], [x, unused]);
        Assert.Equal(new[] { 0.0, 0, 0 }, g[1].Data.ToArray<double>());
    }

    [Fact]
    public void DeepChainsDoNotOverflowTheStack()
    {
        using var scope = TensorScope.Begin();
        var x = Leaf(0.1);
        var y = x;
        for (int i = 0; i < 3000; i++) y = y * 1.0001 + 0.0;
        Assert.Equal(Math.Pow(1.0001, 3000), Gradients.Of(y, x).Data.Item(), 9);
    }

    [Fact]
    public void RulesRunOnlyTowardsRequestedInputs()
    {
        // Gradient with respect to x only must not evaluate the (here: throwing) rule towards w.
        using var scope = TensorScope.Begin();
        var x = Leaf(1, 2);
        var w = Leaf(3, 4);
        var y = Var.Record(Ops.Mul(x.Data, w.Data), "probe", [x, w], g => g * w, _ => throw new InvalidOperationException("rule towards w ran"));
        Assert.Equal(new[] { 3.0, 4 }, Gradients.Of([Sum(y)], [x])[0].Data.ToArray<double>());
    }
}
