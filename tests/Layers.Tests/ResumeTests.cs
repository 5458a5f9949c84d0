using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Layers.Tests;

/// <summary>A run stopped after k steps and resumed from its checkpoint continues bit for bit like an uninterrupted one.</summary>
public sealed class ResumeTests : IDisposable
{
    private static Device D => TestDevice.Instance;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("voxelgan-resume-");

    public void Dispose() => _dir.Delete(recursive: true);

    private sealed class Net : Module
    {
        public Net(ulong seed)
        {
            var rng = new RandomGenerator(seed);
            Conv = AddModule("conv", new Conv3d(1, 2, 3, rng, device: D));
            Head = AddModule("head", new Dense(2, 1, rng, device: D));
        }

        public Conv3d Conv { get; }
        public Dense Head { get; }

        public Var Forward(Var x) => Head.Forward(Reshape(Mean(Mean(Mean(LeakyRelu(Conv.Forward(x), 0.2), -1), -1), -1), 4, 2));
    }

    private static void Train(Net net, Nadam opt, RandomGenerator data, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = TensorScope.Begin();
            net.ZeroGrad();
            var x = new Var(Ops.Normal(new Shape(4, 1, 4, 4, 4), data, device: D));
            var loss = Mean(Square(net.Forward(x) - 0.5));
            NonFiniteLossException.ThrowIfNotFinite(opt.Steps + 1, "loss", loss.Item());
            loss.Backward();
            opt.Step();
        }
    }

    [Fact]
    public void ResumedTrainingEqualsUninterruptedTraining()
    {
        var options = new NadamOptions { LearningRate = 1e-2 };

        using var straight = new Net(1);
        using var straightOpt = new Nadam([straight.Group("all")], options);
        Train(straight, straightOpt, new RandomGenerator(99), 6);

        var path = Path.Combine(_dir.FullName, "run.safetensors");
        using (var first = new Net(1))
        using (var firstOpt = new Nadam([first.Group("all")], options))
        {
            var data = new RandomGenerator(99);
            Train(first, firstOpt, data, 3);
            using var state = firstOpt.StateDict("optimizer.");
            using var offset = Tensor.FromArray(new[] { (double)data.Offset }, Shape.Scalar, D);
            Checkpoint.Save(path, first, state.Entries.Append(new("data.offset", offset)));
        }

        using var resumed = new Net(12345); // different initial weights: everything must come from the file
        using var resumedOpt = new Nadam([resumed.Group("all")], options);
        var (extra, _) = Checkpoint.Load(path, resumed, "optimizer.", "data.");
        resumedOpt.LoadStateDict(extra, "optimizer.", path);
        var resumedData = new RandomGenerator(99) { Offset = (ulong)extra["data.offset"].Item() };
        foreach (var t in extra.Values) t.Dispose();
        Assert.Equal(3, resumedOpt.Steps);
        Train(resumed, resumedOpt, resumedData, 3);

        foreach (var ((name, a), (_, b)) in straight.NamedParameters().Zip(resumed.NamedParameters()))
            Assert.True(a.Data.ToArray<float>().SequenceEqual(b.Data.ToArray<float>()), $"{name} differs after resuming");
    }

    [Fact]
    public void ANonFiniteLossStopsTrainingNamingTheStepAndKeepsTheLastGoodCheckpoint()
    {
        var path = Path.Combine(_dir.FullName, "guard.safetensors");
        using var net = new Net(1);
        using var opt = new Nadam([net.Group("all")], new NadamOptions());
        var data = new RandomGenerator(5);
        var e = Assert.Throws<NonFiniteLossException>(() =>
        {
            for (int step = 1; step <= 6; step++)
            {
                using var scope = TensorScope.Begin();
                net.ZeroGrad();
                var x = Ops.Normal(new Shape(4, 1, 4, 4, 4), data, device: D);
                if (step == 4) x = Ops.MulScalar(x, double.NaN); // the data goes bad at step 4
                var loss = Mean(Square(net.Forward(new Var(x)) - 0.5));
                NonFiniteLossException.ThrowIfNotFinite(step, "loss", loss.Item());
                loss.Backward();
                opt.Step();
                using var state = opt.StateDict("optimizer.");
                Checkpoint.Save(path, net, state.Entries);
            }
        });
        Assert.Equal(4, e.Step);
        Assert.Contains("step 4", e.Message);
        using var restored = new Net(2);
        using var restoredOpt = new Nadam([restored.Group("all")], new NadamOptions());
        var (extra, _) = Checkpoint.Load(path, restored, "optimizer.");
        restoredOpt.LoadStateDict(extra, "optimizer.", path);
        foreach (var t in extra.Values) t.Dispose();
        Assert.Equal(3, restoredOpt.Steps); // the checkpoint of the last good step
        Assert.All(restored.Parameters(), p => Assert.All(p.Data.ToArray<float>(), v => Assert.True(float.IsFinite(v))));
        Assert.Empty(_dir.GetFiles(".*.tmp"));
    }

    [Fact]
    public void MissingOptimizerStateIsNamed()
    {
        using var net = new Net(1);
        using var opt = new Nadam([net.Group("all")], new NadamOptions());
        var e = Assert.Throws<InvalidDataException>(() => opt.LoadStateDict(new Dictionary<string, Tensor>(), "optimizer.", "ckpt.safetensors"));
        Assert.Contains("optimizer.step", e.Message);
        Assert.Contains("ckpt.safetensors", e.Message);
    }
}
