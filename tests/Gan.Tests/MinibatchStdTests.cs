using VoxelGan.Autograd;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Tests;

/// <summary>The critic's minibatch standard-deviation channel (<c>--minibatch-std</c>).</summary>
public sealed class MinibatchStdTests
{
    private static Device D => TestDevice.Instance;

    private static Tensor Values(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        return Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => rng.NextDouble() * 2 - 1).ToArray(), new Shape(shape), D);
    }

    [Fact]
    public void TheChannelHoldsEachGroupsMeanStandardDeviation()
    {
        using var scope = TensorScope.Begin();
        var x = Values(1, 4, 2, 2, 1, 1);
        var y = MinibatchStd.Append(new Var(x), 2).Data;
        Assert.Equal(new Shape(4, 3, 2, 1, 1), y.Shape);
        var v = x.ToArray<double>();
        var got = y.ToArray<double>();
        for (int g = 0; g < 2; g++)
        {
            // Features are the 4 values of a sample; population standard deviation over the 2 samples of the group.
            double s = Enumerable.Range(0, 4).Average(f =>
            {
                double a = v[(2 * g) * 4 + f], b = v[(2 * g + 1) * 4 + f], m = (a + b) / 2;
                return Math.Sqrt(((a - m) * (a - m) + (b - m) * (b - m)) / 2 + 1e-8);
            });
            for (int i = 2 * g; i < 2 * g + 2; i++)
            {
                for (int k = 0; k < 4; k++) Assert.Equal(v[i * 4 + k], got[i * 6 + k]);
                Assert.Equal(s, got[i * 6 + 4], 12);
                Assert.Equal(s, got[i * 6 + 5], 12);
            }
        }
    }

    [Fact]
    public void ScoresDependOnTheirOwnGroupOnly()
    {
        var config = new GanConfig { Size = 8, Ngf = 2, Ndf = 2, LatentDim = 8, MappingLayers = 2, MinibatchStdGroup = 2 };
        using var critic = new Critic(config, new RandomGenerator(4), D);
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = Ops.Cast(Values(2, 4, 1, 8, 8, 8), DType.Float32);
        var before = critic.Forward(new Var(x)).Data.ToArray<float>();
        // Change sample 3 (group 1): the scores of group 0 stay, sample 2's changes with its group's statistic.
        var changed = x.ToArray<float>();
        for (int i = 3 * 512; i < 4 * 512; i++) changed[i] *= -2;
        var after = critic.Forward(new Var(Tensor.FromArray(changed, x.Shape, D))).Data.ToArray<float>();
        Assert.Equal(before[..2], after[..2]);
        Assert.NotEqual(before[2], after[2]);
        Assert.Equal(0, new GanConfig().MinibatchStdGroup);
    }

    [Fact]
    public void TheHeadReadsOneMoreChannel()
    {
        var plain = new GanConfig { Size = 8, Ngf = 2, Ndf = 2 };
        using var a = new Critic(plain, new RandomGenerator(1), D);
        using var b = new Critic(plain with { MinibatchStdGroup = 4 }, new RandomGenerator(1), D);
        Assert.Equal(a.ParameterCount + 8, b.ParameterCount);
    }

    [Fact]
    public void ThePenaltysSecondDerivativesThroughTheChannelMatchFiniteDifferences()
    {
        // The gradient penalty differentiates the critic's input gradient again: check it through the statistic.
        using var scope = TensorScope.Begin();
        var x = Values(3, 4, 2, 2, 1, 1);
        var w = Values(4, 6, 1);
        Var F(Var[] xs) => Sum(MatMul(Reshape(Square(MinibatchStd.Append(xs[0], 2)), 4, 6), xs[1]));
        GradCheck.Assert(F, [x, w], "minibatch std");
        GradCheck.AssertSecondOrder(F, [x, w], "minibatch std");
    }

    [Fact]
    public void ABatchThatDoesNotSplitIntoGroupsIsRefusedByName()
    {
        var config = new GanConfig { Size = 8, Ngf = 2, Ndf = 2, LatentDim = 8, MappingLayers = 2, MinibatchStdGroup = 3 };
        var e = Assert.Throws<ArgumentException>(() => new Trainer(config, new TrainOptions { BatchSize = 4 }, Dataset.Spheres(4, 8, 1).ToTensor(D), D));
        Assert.Contains("--minibatch-std", e.Message);
        Assert.Throws<ShapeException>(() => MinibatchStd.Append(new Var(Values(1, 4, 1, 1, 1, 1)), 3));
        Assert.Throws<ArgumentException>(() => new GanConfig { MinibatchStdGroup = -1 }.Validate());
    }
}
