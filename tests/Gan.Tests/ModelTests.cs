using VoxelGan.Gan.Models;
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
