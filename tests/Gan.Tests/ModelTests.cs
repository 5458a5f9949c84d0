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
        // The balance counts a resize-convolution's 27 Cin taps per output voxel.
        double balancedResize = LatentDependence(config with { BalancedInit = true, Upsampling = GeneratorUpsampling.Resize });
        Assert.True(balancedResize > 0.1 && balancedResize < 3, $"balanced resize: {balancedResize}");
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

    /// <summary>Block b's main path (blocks.{b}.main), found through the module tree.</summary>
    private static VoxelGan.Layers.Layer MainPath(Generator g, int b)
    {
        var blocks = g.Children.Single(c => c.Name == "blocks").Module;
        var block = blocks.Children.Single(c => c.Name == b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Module;
        return (VoxelGan.Layers.Layer)block.Children.Single(c => c.Name == "main").Module;
    }

    /// <summary>
    /// Largest difference between the mean of the interior voxels of each parity class (x, y, z mod 2) of a block's output
    /// when its input is one constant per channel: a period-2 pattern that the layer writes at fixed positions.
    /// </summary>
    private static double ParityPattern(Generator g, int b, int channels)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = VoxelGan.Autograd.GradMode.NoGrad();
        var values = Enumerable.Range(0, channels).SelectMany(c => Enumerable.Repeat((float)(0.3 + 0.1 * c), 8 << (3 * b))).ToArray();
        int n = 2 << b;
        var y = MainPath(g, b).Forward(new VoxelGan.Autograd.Var(Tensor.FromArray(values, new Shape(1, channels, n, n, n), D))).Data;
        int m = y.Shape[2];
        var v = y.ToDoubleArray();
        var sums = new double[8];
        var counts = new int[8];
        for (int c = 0; c < y.Shape[1]; c++)
            for (int z = 2; z < m - 2; z++)
                for (int yy = 2; yy < m - 2; yy++)
                    for (int x = 2; x < m - 2; x++)
                    {
                        int phase = (z % 2) * 4 + (yy % 2) * 2 + x % 2;
                        sums[phase] += v[((c * m + z) * m + yy) * m + x];
                        counts[phase]++;
                    }
        var means = sums.Zip(counts, (s, k) => s / k).ToArray();
        return means.Max() - means.Min();
    }

    [Fact]
    public void ResizeUpsamplingKeepsTheParameterCountAndWritesNoParityPattern()
    {
        var config = new GanConfig { Size = 16, Ngf = 2, Ndf = 2 };
        using var transposed = new Generator(config, new RandomGenerator(8), D);
        using var resize = new Generator(config with { Upsampling = GeneratorUpsampling.Resize }, new RandomGenerator(8), D);
        // The same parameter count; the doubling layers sit behind the parameter-free upsampling.
        Assert.Equal(transposed.ParameterCount, resize.ParameterCount);
        var names = resize.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Contains("blocks.0.main.1.weight", names);
        Assert.Contains("output.1.weight", names);
        Assert.Contains("blocks.0.skip.0.weight", names); // the authors' skips either way
        // A constant input comes out of a stride-2 transposed convolution with a period-2 pattern (each output phase sums
        // other taps); the resize-convolution's interior is the same at every phase.
        int channels = transposed.Filters[1];
        double strided = ParityPattern(transposed, 1, channels), resized = ParityPattern(resize, 1, channels);
        Assert.True(strided > 1e-3, $"transposed convolution: parity pattern {strided}");
        Assert.True(resized < 1e-5, $"resize-convolution: parity pattern {resized}");

        using var scope = TensorScope.Begin();
        var z = new VoxelGan.Autograd.Var(Ops.Normal(new Shape(2, config.LatentDim), new RandomGenerator(3), device: D));
        Assert.Equal(new Shape(2, 1, 16, 16, 16), resize.Forward(z).Shape);
        Assert.Equal(new Shape(2, 1, 16, 16, 16), resize.Forward(z, VoxelGan.Layers.Precision.Mixed).Shape);
    }

    [Fact]
    public void ResizeUpsamplingRefusesTheInterpolatingStartAndIsSavedWithTheRun()
    {
        var config = new GanConfig { Size = 16, Ngf = 2, Ndf = 2, Upsampling = GeneratorUpsampling.Resize };
        var error = Assert.Throws<ArgumentException>(() => (config with { InterpolatingInit = true }).Validate());
        Assert.Contains("--init-interpolating", error.Message);
        Assert.Contains("--upsampling resize", error.Message);
        var run = new RunConfig(config, new TrainOptions(), new DataSpec("spheres"), new VoxelGan.Gan.Data.Standardization(0.2, 0.4, -0.5, 2));
        Assert.Equal(GeneratorUpsampling.Resize, RunConfig.FromJson(run.ToJson(), "now").Gan.Upsampling);
        var json = System.Text.Json.Nodes.JsonNode.Parse(run.ToJson())!;
        Assert.Equal("resize", json["gan"]!["upsampling"]!.GetValue<string>());
        json["gan"]!.AsObject().Remove("upsampling");
        Assert.Equal(GeneratorUpsampling.TransposedConvolution, RunConfig.FromJson(json.ToJsonString(), "old").Gan.Upsampling);
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
