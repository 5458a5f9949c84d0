using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Layers.Tests;

public class InitAndModuleTests
{
    private static Device D => TestDevice.Instance;

    [Property(MaxTest = 30)]
    public Property OrthogonalWeightsHaveOrthonormalRowsOrColumns() => Prop.ForAll(
        (from rank in Gen.Choose(2, 5)
         from dims in Gen.ArrayOf(Gen.Choose(1, 5), rank)
         from gain in Gen.Elements(1.0, 0.5)
         from seed in Gen.Choose(0, 1000)
         select (dims, gain, seed)).ToArbitrary(), c =>
    {
        using var scope = TensorScope.Begin();
        var shape = new Shape(c.dims);
        var w = Initializers.Orthogonal(shape, new RandomGenerator((ulong)c.seed), c.gain, DType.Float64, D).ToArray<double>();
        int rows = c.dims[0], cols = shape.Numel / rows;
        bool byRows = rows <= cols;
        int count = byRows ? rows : cols, length = byRows ? cols : rows;
        double At(int v, int e) => byRows ? w[v * cols + e] : w[e * cols + v];
        for (int a = 0; a < count; a++)
            for (int b = 0; b < count; b++)
            {
                double dot = 0;
                for (int e = 0; e < length; e++) dot += At(a, e) * At(b, e);
                Assert.Equal(a == b ? c.gain * c.gain : 0, dot, 10);
            }
    });

    [Fact]
    public void OrthogonalInitIsReproducibleFromTheSeed()
    {
        using var scope = TensorScope.Begin();
        var a = Initializers.Orthogonal(new Shape(8, 3, 3, 3, 3), new RandomGenerator(5), device: D).ToArray<float>();
        var b = Initializers.Orthogonal(new Shape(8, 3, 3, 3, 3), new RandomGenerator(5), device: D).ToArray<float>();
        var c = Initializers.Orthogonal(new Shape(8, 3, 3, 3, 3), new RandomGenerator(6), device: D).ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Throws<ShapeException>(() => Initializers.Orthogonal(new Shape(4), new RandomGenerator(1), device: D));
    }

    private sealed class Block : Module
    {
        public Block(RandomGenerator rng)
        {
            Conv1 = AddModule("conv1", new Conv3d(2, 3, 3, rng, device: D));
            Conv2 = AddModule("conv2", new Conv3d(3, 3, 1, rng, device: D));
        }

        public Conv3d Conv1 { get; }
        public Conv3d Conv2 { get; }
    }

    private sealed class Net : Module
    {
        public Net(RandomGenerator rng)
        {
            AddModule("mapping", new Sequential(new Dense(4, 4, rng, device: D), new LeakyRelu(0.2), new Dense(4, 4, rng, device: D)));
            AddModule("block0", new Block(rng));
            AddModule("block1", new Block(rng));
        }

        public void AddTwice() => AddModule("block0", new Block(new RandomGenerator(1)));
    }

    [Fact]
    public void ParametersHavePyTorchStyleDottedNames()
    {
        using var net = new Net(new RandomGenerator(1));
        var names = net.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[]
        {
            "mapping.0.weight", "mapping.0.bias", "mapping.2.weight", "mapping.2.bias",
            "block0.conv1.weight", "block0.conv1.bias", "block0.conv2.weight", "block0.conv2.bias",
            "block1.conv1.weight", "block1.conv1.bias", "block1.conv2.weight", "block1.conv2.bias",
        }, names);
        Assert.Equal(2 * (16 + 4) + 2 * (3 * 2 * 27 + 3 + 3 * 3 + 3), net.ParameterCount);
        var mapping = net.Group("mapping", "mapping.", 0.01);
        Assert.Equal(4, mapping.Parameters.Count);
        Assert.Equal(0.01, mapping.LearningRateFactor);
        Assert.Throws<ArgumentException>(() => net.AddTwice());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        net.Eval();
        Assert.False(((Module)net.Children[1].Module).Training);
    }

    [Fact]
    public void ParametersSurviveScopesAndAreFreedWithTheModule()
    {
        int live = D.LiveTensors;
        Net net;
        using (TensorScope.Begin()) net = new Net(new RandomGenerator(2));
        Assert.All(net.Parameters(), p => Assert.False(p.Data.IsDisposed));
        net.Dispose();
        Assert.Equal(live, D.LiveTensors);
    }
}
