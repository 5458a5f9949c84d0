using VoxelGan.Autograd;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Gan.Tests;

public sealed class TrainingTests() : TinyGanTests("train")
{
    [Theory]
    [InlineData(Precision.Fp32, 1)]
    [InlineData(Precision.Mixed, 1)]
    [InlineData(Precision.MixedNoRecompute, 1)]
    [InlineData(Precision.Fp32, 2)]
    public void EveryConfigurationUpdatesTheCriticTheSynthesisNetworkAndTheMappingNetwork(Precision precision, int criticSteps)
    {
        using var trainer = new Trainer(Tiny, new TrainOptions { BatchSize = 2, Precision = precision, CriticSteps = criticSteps, LearningRateCritic = 1e-3 }, SphereData(), D);
        // One weight tensor of each of the three optimizers' networks.
        var watched = new[] { trainer.Models.Critic.NamedParameters().First(), trainer.Models.Generator.NamedParameters().First(p => p.Name.StartsWith("mapping.", StringComparison.Ordinal)),
                              trainer.Models.Generator.NamedParameters().First(p => p.Name.StartsWith("blocks.", StringComparison.Ordinal)) };
        var before = watched.Select(p => p.Parameter.Data.ToArray<float>()).ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(i + 1, trainer.TrainStep().Step);
        for (int k = 0; k < watched.Length; k++)
            Assert.True(!before[k].SequenceEqual(watched[k].Parameter.Data.ToArray<float>()), $"{watched[k].Name} did not change in 3 steps");
    }

    [Fact]
    public void CriticStepsWithTheGeneratorFrozenRaiseTheWassersteinEstimate()
    {
        // Generator learning rate ~0 freezes it; the critic then learns to separate real from fake.
        var options = new TrainOptions { BatchSize = 4, Precision = Precision.Fp32, LearningRateGenerator = 1e-300, LearningRateCritic = 1e-2, GradientPenaltyWeight = 10 };
        using var trainer = new Trainer(Tiny, options, SphereData(8), D);
        var estimates = Enumerable.Range(0, 12).Select(_ => trainer.TrainStep().Wasserstein).ToArray();
        Assert.True(estimates[^3..].Average() > estimates[..3].Average() + 0.1, $"Wasserstein estimates {string.Join(", ", estimates.Select(e => e.ToString("F4")))} did not rise");
    }

    [Fact]
    public void TheCriticLossIsTheMeansDifferencePlusThePenalty()
    {
        // The loss is reduced from the critic's scores by one product and the two means by another (ScoreWeights):
        // L_D = E[D(fake)] - E[D(real)] + lambda GP must hold between what each gives. (The joint update: the
        // alternating one reports E[D(fake)] of the generator's own batch.)
        var options = new TrainOptions { BatchSize = 3, Precision = Precision.Fp32, GradientPenaltyWeight = 7 };
        using var trainer = new Trainer(Tiny, options, SphereData(6), D);
        for (int i = 0; i < 3; i++)
        {
            var m = trainer.TrainStep();
            double expected = -m.Wasserstein + 7 * m.GradientPenalty;
            Assert.True(Math.Abs(m.CriticLoss - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"step {m.Step}: L_D {m.CriticLoss} against -W + 7 GP = {expected}");
            Assert.True(m.GradientPenalty > 0 && m.Wasserstein != 0, $"step {m.Step}: {m}");
        }
    }

    [Fact]
    public void TrainingOnTheHostRepeatsBitForBit()
    {
        // The demo's kind of run, shortened: 16^3 (so the host's convolutions go parallel), two runs with one seed end
        // with the same weights. The host weight gradient once added per-thread partial sums in the order the threads
        // finished, and two such runs parted after a few steps.
        var config = new GanConfig { Size = 16, Ngf = 4, Ndf = 4, LatentDim = 16, MappingLayers = 2 };
        var options = new TrainOptions { BatchSize = 8, Precision = Precision.Fp32, Seed = 3, LearningRateCritic = 2e-4, LearningRateGenerator = 1e-4 };
        float[][] Run()
        {
            using var trainer = new Trainer(config, options, Dataset.Spheres(16, 16, 1).ToTensor(TestDevice.Host), TestDevice.Host);
            for (int i = 0; i < 12; i++) trainer.TrainStep();
            return trainer.Models.NamedParameters().Select(p => p.Parameter.Data.ToArray<float>()).ToArray();
        }
        var (first, second) = (Run(), Run());
        for (int k = 0; k < first.Length; k++) Assert.True(first[k].SequenceEqual(second[k]), $"parameter {k} differs between two runs");
    }

    [Fact]
    public void ResumedTrainingEqualsUninterruptedTraining()
    {
        foreach (var precision in new[] { Precision.Fp32, Precision.Mixed, Precision.MixedNoRecompute })
        {
            var options = new TrainOptions { BatchSize = 2, Precision = precision, Seed = 7, LearningRateCritic = 1e-3, LearningRateGenerator = 1e-3 };
            using var straight = new Trainer(Tiny, options, SphereData(), D);
            for (int i = 0; i < 4; i++) straight.TrainStep();

            var path = Path.Combine(Folder.FullName, $"half-{precision}.safetensors");
            using (var first = new Trainer(Tiny, options, SphereData(), D))
            {
                first.TrainStep();
                first.TrainStep();
                first.Save(path, new Dictionary<string, string>());
            }
            using var resumed = new Trainer(Tiny, options with { Seed = 7 }, SphereData(), D);
            resumed.Load(path);
            Assert.Equal(2, resumed.Step);
            resumed.TrainStep();
            resumed.TrainStep();
            foreach (var ((name, a), (_, b)) in straight.Models.NamedParameters().Zip(resumed.Models.NamedParameters()))
                Assert.True(a.Data.ToArray<float>().SequenceEqual(b.Data.ToArray<float>()), $"{precision}: {name} differs after resuming");
        }
    }

    [Theory]
    [InlineData(Precision.Fp32, 1, LossScalerMode.PerOptimizer, 1)]
    [InlineData(Precision.Mixed, 1, LossScalerMode.PerOptimizer, 1)]
    [InlineData(Precision.Mixed, 1, LossScalerMode.Shared, 1)]
    [InlineData(Precision.Fp32, 3, LossScalerMode.PerOptimizer, 1)]
    [InlineData(Precision.Mixed, 3, LossScalerMode.PerOptimizer, 4)]
    public void AnIterationReadsTheDeviceOncePerSettledStep(Precision precision, int criticSteps, LossScalerMode scalers, int syncs)
    {
        // The authors' joint update reads the device once (metrics and the optimizers' gates together); so does the
        // alternation in fp32. Under mixed precision it reads once per critic step, whose loss scale the next backward
        // needs, plus once at the end. Own device: the
        // shared test devices are used by tests running in parallel.
        using var device = Device.Create(DeviceKind.IlgpuCpu);
        var options = new TrainOptions { BatchSize = 2, Precision = precision, CriticSteps = criticSteps, LossScalers = scalers };
        using var trainer = new Trainer(Tiny, options, Dataset.Spheres(4, 8, 1).ToTensor(device), device);
        trainer.TrainStep();
        device.Counters.Reset();
        trainer.TrainStep();
        Assert.Equal(syncs, device.Counters.HostSyncs);
    }

    [Theory]
    [InlineData(LossScalerMode.PerOptimizer)]
    [InlineData(LossScalerMode.Shared)]
    public void AnOverflowingStepIsSkippedOnTheDeviceAndTheScalersLearnIt(LossScalerMode scalers)
    {
        // A loss scale far beyond float16 makes every gradient overflow: the update kernels must leave every weight as
        // it was, the optimizers' schedules must not advance, and each scaler must halve once.
        var options = new TrainOptions { BatchSize = 2, Precision = Precision.Mixed, LossScalers = scalers, InitialLossScale = 1e30 };
        using var trainer = new Trainer(Tiny, options, SphereData(), D);
        var before = trainer.Models.NamedParameters().Select(p => p.Parameter.Data.ToArray<float>()).ToArray();
        Assert.True(trainer.TrainStep().Skipped);
        var after = trainer.Models.NamedParameters().Select(p => p.Parameter.Data.ToArray<float>()).ToArray();
        Assert.All(before.Zip(after), pair => Assert.Equal(pair.First, pair.Second));
        Assert.All(trainer.Scalers.Values.Distinct(), s => Assert.Equal((5e29, 1L), (s.Scale, s.SkippedSteps)));
    }

    [Fact]
    public void ANonFiniteWeightStopsFp32TrainingNamingTheStep()
    {
        using var trainer = new Trainer(Tiny, new TrainOptions { BatchSize = 2, Precision = Precision.Fp32, CriticSteps = 2 }, SphereData(), D);
        var weight = trainer.Models.Critic.NamedParameters().First().Parameter.Data;
        using (var nan = Tensor.Full(weight.Shape, double.NaN, weight.DType, D)) Ops.CopyInto(weight, nan);
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.TrainStep());
        Assert.Equal(1, e.Step);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATrainingStepDoesNotGrowDeviceMemory(bool extras)
    {
        // extras: the generator's moving average, the learning-rate decay and the critic's minibatch statistic.
        var options = new TrainOptions { BatchSize = 2, Precision = Precision.Mixed, Iterations = 10 };
        if (extras) options = options with { AverageDecay = 0.9, LearningRateDecay = 0.5 };
        using var trainer = new Trainer(extras ? Tiny with { MinibatchStdGroup = 2 } : Tiny, options, SphereData(), D);
        trainer.TrainStep();
        int live = D.LiveTensors;
        long inUse = D.Pool.BytesInUse;
        for (int i = 0; i < 3; i++) trainer.TrainStep();
        Assert.Equal(live, D.LiveTensors);
        Assert.Equal(inUse, D.Pool.BytesInUse);
    }

    [Fact]
    public void TheCriticsGradientPenaltyMatchesFiniteDifferences()
    {
        // A float64 critic: d L_GP / d theta by double backprop against central differences, for
        // weights of the first block, the last block and the head.
        var config = new GanConfig { Size = 8, Ndf = 1, CriticSlope = 0.3 };
        using var critic = new Critic(config, new RandomGenerator(4), D, DType.Float64);
        var rng = new RandomGenerator(5);
        using var real = Ops.Normal(new Shape(2, 1, 8, 8, 8), rng, dtype: DType.Float64, device: D).Detach();
        using var fake = Ops.Normal(new Shape(2, 1, 8, 8, 8), rng, dtype: DType.Float64, device: D).Detach();
        using var alpha = Ops.Uniform(new Shape(2, 1, 1, 1, 1), rng, dtype: DType.Float64, device: D).Detach();
        double Penalty() { using var s = TensorScope.Begin(); return WganGp.GradientPenalty(critic, real, fake, alpha).Item(); }
        critic.ZeroGrad();
        using (TensorScope.Begin()) WganGp.GradientPenalty(critic, real, fake, alpha).Backward();
        foreach (var (name, p) in critic.NamedParameters().Where(p => p.Name is "blocks.0.conv1.weight" or "blocks.2.conv2.weight" or "head.weight"))
        {
            var analytic = p.Grad!.ToArray<double>();
            var w = p.Data.ToArray<double>();
            double Perturbed(int i, double delta)
            {
                var v = (double[])w.Clone();
                v[i] += delta;
                using (var t = Tensor.FromArray(v, p.Shape, D)) Ops.CopyInto(p.Data, t);
                double value = Penalty();
                using (var t = Tensor.FromArray(w, p.Shape, D)) Ops.CopyInto(p.Data, t);
                return value;
            }
            for (int i = 0; i < w.Length; i += Math.Max(1, w.Length / 5))
            {
                const double h = 1e-6;
                double numeric = (Perturbed(i, h) - Perturbed(i, -h)) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-5 * Math.Abs(numeric) + 1e-7,
                    $"{name}[{i}]: double backprop {analytic[i]:R} vs finite difference {numeric:R}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheFractionPenaltyMovesTheGeneratorTowardTheDataFractionAndLeavesTheCriticAlone(int criticSteps)
    {
        // One step from the same start with and without a heavy penalty: the critic ends with the same weights, the
        // generator's volumes end with their means closer to the data's (0 in standardized units).
        (float[] Critic, double Penalty) Step(double weight)
        {
            var options = new TrainOptions { BatchSize = 2, Precision = Precision.Fp32, CriticSteps = criticSteps, FractionPenalty = weight, LearningRateGenerator = 1e-5 };
            using var trainer = new Trainer(Tiny, options, SphereData(), D);
            trainer.TrainStep();
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var z = Ops.Normal(new Shape(8, Tiny.LatentDim), new RandomGenerator(11), device: D);
            double penalty = FractionPenalty.Of(trainer.Models.Generator.Forward(new Var(z))).Data.ToDoubleArray()[0];
            return (trainer.Models.Critic.NamedParameters().SelectMany(p => p.Parameter.Data.ToArray<float>()).ToArray(), penalty);
        }
        var (plain, penalized) = (Step(0), Step(1e4));
        Assert.Equal(plain.Critic, penalized.Critic);
        Assert.True(penalized.Penalty < plain.Penalty, $"penalty after a penalized step {penalized.Penalty}, after a plain one {plain.Penalty}");
    }

    [Fact]
    public void TheFractionPenaltyIsTheMeanSquaredScaledVolumeMean()
    {
        using var scope = TensorScope.Begin();
        var values = new double[] { 1, 0, 0, 1, /* mean 0.5 */ -1, -1, -1, -1 /* mean -1 */ };
        var fake = Tensor.FromArray(values, new Shape(2, 1, 1, 2, 2), D);
        // z = 2 * 0.5 = 1 and 2 * -1 = -2: mean of squares 2.5.
        Assert.Equal(2.5, FractionPenalty.Of(new Var(fake)).Data.ToDoubleArray()[0], 12);
        // The generator's gradient of the term, in float64 against finite differences.
        var rng = new Random(5);
        var drawn = Tensor.FromArray(Enumerable.Range(0, 3 * 8).Select(_ => rng.NextDouble() * 2 - 1).ToArray(), new Shape(3, 1, 2, 2, 2), D);
        GradCheck.Assert(xs => FractionPenalty.Of(xs[0]), [drawn], "fraction penalty");
        foreach (double bad in new[] { -1, double.NaN, double.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentException>(() => new TrainOptions { FractionPenalty = bad }.Validate());
            Assert.Contains("--fraction-penalty", e.Message);
        }
    }
}
