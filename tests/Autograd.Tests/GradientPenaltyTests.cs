using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Autograd.Tests;

/// <summary>
/// The WGAN-GP penalty of a small two-layer critic, differentiated with respect to its weights:
/// L(W1, b1, w2) = mean_n (||d f(x_n)/d x_n||_2 - 1)^2, f(x) = leaky(x W1 + b1) w2. Its gradient needs
/// the second derivatives of every op on the path (double backprop).
/// </summary>
public class GradientPenaltyTests
{
    private static Device D => TestDevice.Instance;

    private static Var Penalty(Var x, Var w1, Var b1, Var w2, Func<Var, Var> activation)
    {
        var f = MatMul(activation(MatMul(x, w1) + b1), w2); // [batch, 1]
        var grad = Gradients.Of([Sum(f)], [x], createGraph: true)[0]; // rows are d f(x_n) / d x_n
        var norms = Sqrt(Sum(Square(grad), axis: 1) + 1e-12);
        return Mean(Square(norms - 1.0));
    }

    [Theory]
    [InlineData("leaky_relu")]
    [InlineData("tanh")]
    public void PenaltyGradientMatchesFiniteDifferencesToFloat64Accuracy(string act)
    {
        Func<Var, Var> activation = act == "tanh" ? Tanh : v => LeakyRelu(v, 0.2);
        using var scope = TensorScope.Begin();
        var rng = new Random(11);
        var x = OpTable.Values(rng, [3, 4]);
        var w1 = OpTable.Values(rng, [4, 5]);
        var b1 = OpTable.Values(rng, [5]);
        var w2 = OpTable.Values(rng, [5, 1]);
        var xv = new Var(x);
        // Tolerances far tighter than the defaults: central differences are accurate to ~1e-9 here.
        var r = GradCheck.Check(ws => Penalty(new Var(x, requiresGrad: true), ws[0], ws[1], ws[2], activation), [w1, b1, w2],
            eps: 1e-6, atol: 1e-8, rtol: 1e-6);
        Assert.True(r.Passed, r.Worst);
        Assert.Equal(4 * 5 + 5 + 5, r.Checked);
        _ = xv;
    }

    [Fact]
    public void PenaltyIsZeroForAUnitGradientCritic()
    {
        // f(x) = x . u with |u| = 1 has gradient u everywhere: the penalty and its weight-gradient vanish.
        using var scope = TensorScope.Begin();
        var x = new Var(OpTable.Values(new Random(2), [4, 2]), requiresGrad: true);
        var u = new Var(Tensor.FromArray(new[] { 0.6, 0.8 }, new Shape(2, 1), D), requiresGrad: true);
        var f = MatMul(x, u);
        var g = Gradients.Of([Sum(f)], [x], createGraph: true)[0];
        var penalty = Mean(Square(Sqrt(Sum(Square(g), axis: 1)) - 1.0));
        Assert.Equal(0, penalty.Item(), 12);
        var du = Gradients.Of(penalty, u);
        Assert.All(du.Data.ToArray<double>(), v => Assert.Equal(0, v, 12));
    }
}
