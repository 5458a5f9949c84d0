using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Gan.Tests;

public class ModelTests
{
    private static Device D => TestDevice.Instance;

    [Theory]
    [InlineData(32, 32, 16, 1_616_161, 3_579_537)]
    [InlineData(64, 64, 8, 20_976_193, 3_584_649)]
    public void ParameterCountsAreThePapers(int size, int ngf, int ndf, long generator, long critic)
    {
        // The counts come from the real modules (the 64^3 generator's 21 M weights are built and counted).
        var config = new GanConfig { Size = size, Ngf = ngf, Ndf = ndf };
        using var g = new Generator(config, new RandomGenerator(1), D);
        using var c = new Critic(config, new RandomGenerator(2), D);
        Assert.Equal(generator, g.ParameterCount);
        Assert.Equal(critic, c.ParameterCount);
    }

    /// <summary>Standard deviation across 16 latents of the output's pre-image (atanh of the scaled output), averaged over voxels.</summary>
    private static double LatentDependence(GanConfig config)
    {
        using var pair = new VoxelGan.Gan.Training.GanPair(config, 1, D); // applies the gain to both networks
        using var scope = TensorScope.Begin();
        using var noGrad = VoxelGan.Autograd.GradMode.NoGrad();
        var y = pair.Generator.Forward(new VoxelGan.Autograd.Var(Ops.Normal(new Shape(16, config.LatentDim), new RandomGenerator(7), device: D))).Data.ToArray<float>();
        var (lo, hi) = config.OutputRange;
        int voxels = y.Length / 16;
        var pre = y.Select(v => Math.Atanh(Math.Clamp(2 * (v - lo) / (hi - lo) - 1, -0.999999, 0.999999))).ToArray();
        return Enumerable.Range(0, voxels).Average(v =>
        {
            var column = Enumerable.Range(0, 16).Select(i => pre[i * voxels + v]).ToArray();
            double mean = column.Average();
            return Math.Sqrt(column.Average(c => (c - mean) * (c - mean)));
        });
    }

    [Fact]
    public void TheLatentsSignalReachesTheOutputOnlyWithAGainOrABalancedInitialization()
    {
        // At the authors' plain orthogonal draw the output hardly depends on the latent (issue 14); a gain
        // of 2 or the balanced initialization (every layer keeps its input's variance) carry it through.
        var config = new GanConfig { Size = 16, Ngf = 8, Ndf = 4, LambdaMin = -0.5, LambdaMax = 2 };
        double plain = LatentDependence(config), gain = LatentDependence(config with { InitGain = 2 }), balanced = LatentDependence(config with { BalancedInit = true });
        Assert.True(plain < 0.02, $"gain 1: {plain}");
        Assert.True(gain > 0.3, $"gain 2: {gain}");
        Assert.True(balanced > 0.1 && balanced < 3, $"balanced: {balanced}");
    }

    [Fact]
    public void TheCriticsGainCanDifferFromTheGenerators()
    {
        // --init-gain 2 --critic-init-gain 1: the generator's weights are twice the authors' draw, the critic's are that draw.
        var config = new GanConfig { Size = 8, Ngf = 2, Ndf = 2 };
        using var plain = new GanPair(config, 5, D);
        using var split = new GanPair(config with { InitGain = 2, CriticInitGain = 1 }, 5, D);
        using var both = new GanPair(config with { InitGain = 2 }, 5, D);
        foreach (var ((name, p), (_, s), (_, b)) in plain.NamedParameters().Zip(split.NamedParameters(), both.NamedParameters()))
        {
            var (w, ws, wb) = (p.Data.ToDoubleArray(), s.Data.ToDoubleArray(), b.Data.ToDoubleArray());
            double expected = name.EndsWith(".weight", StringComparison.Ordinal) && name.StartsWith("generator.", StringComparison.Ordinal) ? 2 : 1;
            Assert.Equal(w.Select(v => v * expected), ws);
            Assert.Equal(w.Select(v => v * (name.EndsWith(".weight", StringComparison.Ordinal) ? 2 : 1)), wb);
        }
        Assert.Throws<ArgumentException>(() => (config with { CriticInitGain = 0 }).Validate());
    }

    [Fact]
    public void TheInterpolatingInitIsAChannelMixTimesTrilinearWeightsAndChangesNothingElse()
    {
        var config = new GanConfig { Size = 16, Ngf = 2, Ndf = 2 };
        using var plain = new Generator(config, new RandomGenerator(9), D);
        using var smooth = new Generator(config with { InterpolatingInit = true }, new RandomGenerator(9), D);
        double[] b = [0.5, 1, 0.5];
        double scale = Math.Sqrt(27 / 8.0 / Math.Pow(0.75, 3));
        int changed = 0;
        foreach (var ((name, p), (_, q)) in plain.NamedParameters().Zip(smooth.NamedParameters()))
        {
            var (w, v) = (p.Data.ToDoubleArray(), q.Data.ToDoubleArray());
            bool upsampling = name.EndsWith(".weight", StringComparison.Ordinal) && (name.Contains(".main.", StringComparison.Ordinal) || name.StartsWith("output.", StringComparison.Ordinal));
            if (!upsampling)
            {
                Assert.Equal(w, v); // the same draws: every other weight of the seed is unchanged
                continue;
            }
            changed++;
            for (int i = 0; i < w.Length; i++)
            {
                int pair = i / 27, t = i % 27;
                double expected = scale * w[pair * 27 + 13] * b[t / 9] * b[t / 3 % 3] * b[t % 3];
                Assert.Equal((float)expected, (float)v[i]);
            }
        }
        Assert.Equal(config.GeneratorBlocks + 1, changed);
    }

    [Fact]
    public void TheSkipGainScalesOnlyTheKernelOneSkips()
    {
        var config = new GanConfig { Size = 16, Ngf = 2, Ndf = 2 };
        using var plain = new Generator(config, new RandomGenerator(4), D);
        using var silent = new Generator(config with { SkipInitGain = 0 }, new RandomGenerator(4), D);
        using var half = new Generator(config with { SkipInitGain = 0.5 }, new RandomGenerator(4), D);
        int skips = 0;
        foreach (var ((name, p), (_, s), (_, h)) in plain.NamedParameters().Zip(silent.NamedParameters(), half.NamedParameters()))
        {
            var w = p.Data.ToDoubleArray();
            bool skip = name.Contains(".skip.", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
            skips += skip ? 1 : 0;
            Assert.Equal(skip ? w.Select(_ => 0.0) : w, s.Data.ToDoubleArray());
            Assert.Equal(skip ? w.Select(v => v * 0.5) : w, h.Data.ToDoubleArray());
        }
        Assert.Equal(config.GeneratorBlocks, skips);
        Assert.Throws<ArgumentException>(() => (config with { SkipInitGain = -1 }).Validate());
    }

    [Fact]
    public void ShapesFlowFromLatentToVolumeToScore()
    {
        var config = new GanConfig { Size = 8, Ngf = 2, Ndf = 2, LambdaMin = -0.5, LambdaMax = 2 };
        using var g = new Generator(config, new RandomGenerator(1), D);
        using var c = new Critic(config, new RandomGenerator(2), D);
        using var scope = TensorScope.Begin();
        var z = new Autograd.Var(Ops.Normal(new Shape(3, 128), new RandomGenerator(3), device: D));
        var x = g.Forward(z);
        Assert.Equal(new Shape(3, 1, 8, 8, 8), x.Shape);
        Assert.All(x.Data.ToArray<float>(), v => Assert.InRange(v, -0.5f, 2f)); // the scaled tanh range
        Assert.Equal(new Shape(3, 1), c.Forward(x).Shape);
        Assert.Equal(["blocks.0.conv1.weight", "blocks.0.conv1.bias"], c.NamedParameters().Select(p => p.Name).Where(n => n.StartsWith("blocks.0.conv1")).ToArray());
        Assert.Contains(g.NamedParameters(), p => p.Name == "blocks.0.skip.0.weight");
        Assert.Equal(16, g.MappingGroup(0.01).Parameters.Count); // 8 dense layers, weight and bias
    }

    [Theory]
    [InlineData(12)]
    [InlineData(4)]
    public void SizesThatAreNotPowersOfTwoAreRejected(int size)
    {
        var e = Assert.Throws<ArgumentException>(() => new GanConfig { Size = size }.Validate());
        Assert.Contains($"volume size {size} is not a power of two", e.Message);
    }

    [Fact]
    public void ConstantTopologyKeepsTheFilterCount()
    {
        using var c = new Critic(new GanConfig { Size = 16, Ndf = 3, Topology = CriticTopology.Constant }, new RandomGenerator(1), D);
        Assert.All(c.Filters, f => Assert.Equal(3, f));
        Assert.Equal(4, c.Filters.Count);
    }
}

public class GeneratorLatentTests
{
    [Fact]
    public void DifferentLatentsGiveDifferentVolumes()
    {
        var d = TestDevice.Instance;
        var config = new GanConfig { Size = 16, Ngf = 8, Ndf = 4, LambdaMin = -0.5, LambdaMax = 2 };
        using var g = new Generator(config, new RandomGenerator(1), d);
        using var volumes = Generation.Sampler.Generate(g, 4, 1, 9, d);
        var v = volumes.ToArray<float>();
        int n = 16 * 16 * 16;
        double spread = Enumerable.Range(0, n).Average(j => { var s = Enumerable.Range(0, 4).Select(i => (double)v[i * n + j]).ToArray(); double m = s.Average(); return Math.Sqrt(s.Average(x => (x - m) * (x - m))); });
        double overall = Math.Sqrt(v.Average(x => (x - v.Average()) * (x - v.Average())));
        Assert.True(spread > 0.05 * overall, $"per-voxel spread over latents {spread:G3} vs overall spread {overall:G3}: the latent hardly matters");
    }
}
