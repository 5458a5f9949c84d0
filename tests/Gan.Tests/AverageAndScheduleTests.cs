using VoxelGan.Gan.Data;
using VoxelGan.Gan.Generation;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Gan.Tests;

/// <summary>The generator's moving average (<c>--average-decay</c>) and the learning-rate decay (<c>--lr-decay</c>).</summary>
public sealed class AverageAndScheduleTests() : TinyGanTests("average")
{
    private static TrainOptions Options(double decay = 0.9) => new()
    {
        BatchSize = 2, Precision = Precision.Fp32, Seed = 5, LearningRateCritic = 1e-3, LearningRateGenerator = 1e-3, AverageDecay = decay,
    };

    private static Dictionary<string, double[]> Weights(Module m) => m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data.ToDoubleArray());

    [Fact]
    public void TheAverageFollowsTheGeneratorsWeightsByTheDecay()
    {
        const double decay = 0.75;
        using var trainer = new Trainer(Tiny, Options(decay), SphereData(), D);
        var average = trainer.Average!;
        Assert.Equal(Weights(trainer.Models.Generator), Weights(average.Model));
        for (int step = 0; step < 3; step++)
        {
            var before = Weights(average.Model);
            trainer.TrainStep();
            var live = Weights(trainer.Models.Generator);
            var after = Weights(average.Model);
            foreach (var (name, values) in after)
                for (int i = 0; i < values.Length; i++)
                    Assert.Equal(decay * before[name][i] + (1 - decay) * live[name][i], values[i], 1e-6);
            Assert.Contains(after, e => !e.Value.SequenceEqual(live[e.Key]));
        }
    }

    [Fact]
    public void WithoutADecayThereIsNoAverage()
    {
        using var trainer = new Trainer(Tiny, Options(0), SphereData(), D);
        Assert.Null(trainer.Average);
    }

    [Fact]
    public void CheckpointsKeepTheAverageAndGenerationUsesItUnlessAskedForTheTrainedWeights()
    {
        var folder = Path.Combine(Folder.FullName, "run");
        using (var run = TrainingRun.Start(folder, Tiny, Options() with { Iterations = 3, SampleEvery = 0, CheckpointEvery = 0 }, new DataSpec("spheres", 4, 1), D))
            run.Run(CancellationToken.None);
        var latest = Path.Combine(folder, "latest.safetensors");
        Assert.Contains(SafeTensors.ReadMetadata(latest).Keys, k => k == "step");

        using var resumed = TrainingRun.Resume(folder, D);
        var averaged = Weights(resumed.Trainer.Average!.Model);
        var trained = Weights(resumed.Trainer.Models.Generator);
        Assert.NotEqual(averaged["mapping.0.weight"], trained["mapping.0.weight"]);

        using (var sampler = Sampler.FromCheckpoint(latest, D))
        {
            Assert.True(sampler.Averaged);
            using var expected = resumed.Trainer.Generate(2, 1, 9);
            using var got = Sampler.Generate(sampler.Generator, 2, 1, 9, D);
            Assert.Equal(expected.ToArray<float>(), got.ToArray<float>());
        }
        using (var sampler = Sampler.FromCheckpoint(latest, D, GeneratorWeights.Trained))
        {
            Assert.False(sampler.Averaged);
            Assert.Equal(trained, Weights(sampler.Generator));
        }
    }

    [Fact]
    public void AResumedRunContinuesTheAverageExactly()
    {
        using var straight = new Trainer(Tiny, Options(), SphereData(), D);
        for (int i = 0; i < 4; i++) straight.TrainStep();
        var path = Path.Combine(Folder.FullName, "half.safetensors");
        using (var first = new Trainer(Tiny, Options(), SphereData(), D))
        {
            first.TrainStep();
            first.TrainStep();
            first.Save(path, new Dictionary<string, string>());
        }
        using var resumed = new Trainer(Tiny, Options(), SphereData(), D);
        resumed.Load(path);
        resumed.TrainStep();
        resumed.TrainStep();
        Assert.Equal(Weights(straight.Average!.Model), Weights(resumed.Average!.Model));
    }

    [Fact]
    public void ACheckpointWithoutAnAverageStartsItFromTheLoadedWeights()
    {
        var path = Path.Combine(Folder.FullName, "plain.safetensors");
        using (var plain = new Trainer(Tiny, Options(0), SphereData(), D))
        {
            plain.TrainStep();
            plain.Save(path, new Dictionary<string, string>());
        }
        using var averaging = new Trainer(Tiny, Options(), SphereData(), D);
        averaging.Load(path);
        Assert.Equal(Weights(averaging.Models.Generator), Weights(averaging.Average!.Model));
    }

    [Fact]
    public void TheLearningRateFallsLinearlyToZeroOverTheLastFraction()
    {
        var options = new TrainOptions { Iterations = 100, LearningRateDecay = 0.25 };
        Assert.Equal(1, options.LearningRateSchedule(1));
        Assert.Equal(1, options.LearningRateSchedule(76));
        Assert.Equal(24 / 25.0, options.LearningRateSchedule(77), 12);
        Assert.Equal(1 / 25.0, options.LearningRateSchedule(100), 12);
        Assert.Equal(0, options.LearningRateSchedule(101));
        Assert.Equal(1, new TrainOptions { Iterations = 100 }.LearningRateSchedule(100));
    }

    [Fact]
    public void AScaledLearningRateScalesTheNadamStep()
    {
        // Nadam's step is linear in the learning rate for given moments: half the factor, half the step; zero, no step.
        var deltas = new List<double[]>();
        foreach (double scale in new[] { 1.0, 0.5, 0.0 })
        {
            var p = new Autograd.Var(Tensor.FromArray(new[] { 0.5, -1.0, 2.0 }, new Shape(3), D), requiresGrad: true);
            using var optimizer = new Nadam([new ParameterGroup("p", [("p", p)])], new NadamOptions { LearningRate = 0.1 }) { LearningRateScale = scale };
            // Backward of sum(p * g) leaves g in p.Grad.
            Autograd.Functional.Sum(p * new Autograd.Var(Tensor.FromArray(new[] { 0.3, 0.2, -0.4 }, new Shape(3), D))).Backward();
            optimizer.Step();
            deltas.Add(p.Data.ToDoubleArray().Zip(new[] { 0.5, -1.0, 2.0 }, (a, b) => a - b).ToArray());
        }
        Assert.All(deltas[0], d => Assert.True(Math.Abs(d) > 1e-3));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(deltas[0][i] / 2, deltas[1][i], 12);
            Assert.Equal(0, deltas[2][i]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam([], new NadamOptions()).LearningRateScale = -1);
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(-0.1, 0.0)]
    [InlineData(0.0, 1.5)]
    [InlineData(0.0, -0.5)]
    public void BadAveragesAndDecaysAreRefusedByName(double average, double lrDecay)
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { AverageDecay = average, LearningRateDecay = lrDecay }.Validate());
        Assert.Contains(average != 0 ? "--average-decay" : "--lr-decay", e.Message);
    }
}
