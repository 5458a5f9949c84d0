using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VoxelGan.Autograd;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.Tensors.Kernels;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Training;

/// <summary>
/// WGAN-GP training of a <see cref="GanPair"/> on a standardized dataset. Three Nadam optimizers
/// (critic; generator synthesis; mapping network at a fraction of lr_G), each clipping its own global
/// norm. Every random draw of iteration t (batch indices, z, alpha) comes from generators seeded by
/// (seed, t), so a run resumed from a checkpoint at step t continues exactly as if uninterrupted.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Tensor _data;
    private readonly Nadam _critic, _synthesis, _mapping;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Sets up training on <paramref name="data"/> ([N, 1, n, n, n], standardized; the trainer owns it).</summary>
    public Trainer(GanConfig config, TrainOptions options, Tensor data, Device? device = null)
    {
        Config = config.Validate();
        Options = options.Validate();
        Device = device ?? Device.Default;
        int n = config.Size;
        if (data.Shape.Rank != 5 || data.Shape[1] != 1 || data.Shape[2] != n || data.Shape[3] != n || data.Shape[4] != n)
            throw new ShapeException($"training data must be [count, 1, {n}, {n}, {n}] for --size {n}, got {data.Shape}");
        _data = data.Detach();
        Models = new GanPair(config, options.Seed, Device);
        NadamOptions Adam(double lr) => new() { LearningRate = lr, Beta1 = options.Beta1, Beta2 = options.Beta2, Epsilon = options.Epsilon, ClipNorm = options.ClipNorm };
        _critic = new Nadam([Models.Critic.Group("critic")], Adam(options.LearningRateCritic));
        _synthesis = new Nadam([Models.Generator.SynthesisGroup()], Adam(options.LearningRateGenerator));
        _mapping = new Nadam([Models.Generator.MappingGroup(1)], Adam(options.LearningRateGenerator * options.MappingLearningRateFactor));
        Scaler = options.Precision == Precision.Mixed ? new DynamicLossScaler(options.InitialLossScale, options.LossScaleGrowthInterval) : null;
    }

#pragma warning disable CS1591
    public GanConfig Config { get; }
    public TrainOptions Options { get; }
    public Device Device { get; }
    public GanPair Models { get; }
    public DynamicLossScaler? Scaler { get; }
#pragma warning restore CS1591

    /// <summary>Iterations done.</summary>
    public long Step { get; private set; }

    /// <summary>Runs one iteration (critic and generator updates) and returns its metrics.</summary>
    public StepMetrics TrainStep()
    {
        long step = Step + 1;
        var metrics = Options.CriticSteps == 1 ? JointStep(step) : AlternatingStep(step);
        Step = step;
        return metrics;
    }

    /// <summary>
    /// The authors' update: one generator forward feeds both losses. Backpropagating L_D leaves on the
    /// generator's weights the gradient of E[D(fake)] = -L_G (the penalty uses the fake batch as data),
    /// so the generator steps with that gradient negated; one backward pass serves both networks.
    /// </summary>
    private StepMetrics JointStep(long step)
    {
        using var scope = TensorScope.Begin();
        Models.ZeroGrad();
        var rng = Rng(step, 0);
        var real = Batch(step, 0);
        var fake = Models.Generator.Forward(new Var(Latent(rng)), Options.Precision);
        var (lossD, gp, dReal, dFake) = CriticLoss(real, fake, rng);
        double scale = Scaler?.Scale ?? 1;
        (lossD * scale).Backward();
        // The generator's weights hold the gradient of E[D(fake)], which the generator maximizes.
        bool skipped = !Apply(scale, [_critic], [_synthesis, _mapping], StepDirection.Ascend);
        return Metrics(step, lossD, gp, dReal, dFake, fake.Data, skipped);
    }

    /// <summary>The usual WGAN-GP alternation: <c>CriticSteps</c> critic updates, then one generator update.</summary>
    private StepMetrics AlternatingStep(long step)
    {
        using var scope = TensorScope.Begin();
        double lossD = 0, gp = 0, dReal = 0, dFake = 0;
        bool skipped = false;
        for (int k = 0; k < Options.CriticSteps; k++)
        {
            using var inner = TensorScope.Begin();
            Models.ZeroGrad();
            var rng = Rng(step, k);
            Var fake;
            using (GradMode.NoGrad()) fake = new Var(Models.Generator.Forward(new Var(Latent(rng)), Options.Precision).Data);
            var (l, p, r, f) = CriticLoss(Batch(step, k), fake, rng);
            double scale = Scaler?.Scale ?? 1;
            (l * scale).Backward();
            skipped |= !Apply(scale, [_critic], [], StepDirection.Descend);
            (lossD, gp, dReal, dFake) = (l.Item(), p.Item(), r.Item(), f.Item());
        }
        Models.ZeroGrad();
        var genRng = Rng(step, Options.CriticSteps);
        var fakeG = Models.Generator.Forward(new Var(Latent(genRng)), Options.Precision);
        var lossG = -Mean(Models.Critic.Forward(fakeG, Options.Precision));
        double s = Scaler?.Scale ?? 1;
        (lossG * s).Backward();
        skipped |= !Apply(s, [], [_synthesis, _mapping], StepDirection.Descend);
        Models.Critic.ZeroGrad();
        return Metrics(step, lossD, gp, dReal, -lossG.Item(), fakeG.Data, skipped);
    }

    private (Var Loss, Var Penalty, Var MeanReal, Var MeanFake) CriticLoss(Tensor real, Var fake, RandomGenerator rng)
    {
        var dReal = Mean(Models.Critic.Forward(new Var(real), Options.Precision));
        var dFake = Mean(Models.Critic.Forward(fake, Options.Precision));
        var alpha = Ops.Uniform(new Shape(real.Shape[0], 1, 1, 1, 1), rng, device: Device);
        var gp = WganGp.GradientPenalty(Models.Critic, real, fake.Data, alpha, Options.Precision);
        return (dFake - dReal + gp * Options.GradientPenaltyWeight, gp, dReal, dFake);
    }

    /// <summary>
    /// Unscales, checks for overflow (mixed precision: skip the whole step and halve the scale) or a
    /// non-finite gradient (fp32: stop), then steps the optimizers. Returns false when skipped.
    /// </summary>
    private bool Apply(double scale, Nadam[] critic, Nadam[] generator, StepDirection generatorDirection)
    {
        var grads = Models.Parameters().Where(p => p.Grad is not null).Select(p => p.Grad!);
        bool finite = DynamicLossScaler.AllFinite(grads);
        if (Scaler is not null && !Scaler.Update(finite)) return false;
        if (!finite) throw new NonFiniteLossException(Step + 1, "gradient", double.NaN);
        foreach (var o in critic) o.Step(1 / scale);
        foreach (var o in generator) o.Step(1 / scale, generatorDirection);
        return true;
    }

    private StepMetrics Metrics(long step, Var lossD, Var gp, Var dReal, Var dFake, Tensor fake, bool skipped) =>
        Metrics(step, lossD.Item(), gp.Item(), dReal.Item(), dFake.Item(), fake, skipped);

    private StepMetrics Metrics(long step, double lossD, double gp, double dReal, double dFake, Tensor fake, bool skipped)
    {
        NonFiniteLossException.ThrowIfNotFinite(step, "critic loss", lossD);
        NonFiniteLossException.ThrowIfNotFinite(step, "generator loss", -dFake);
        using var scope = TensorScope.Begin();
        var f = fake.DType == DType.Float32 ? fake : Ops.Cast(fake, DType.Float32);
        double mean = Ops.Mean(f).Item();
        double std = Math.Sqrt(Math.Max(0, Ops.Mean(Ops.Square(f)).Item() - mean * mean));
        return new StepMetrics(step, lossD, -dFake, gp, dReal - dFake, mean, std, Scaler?.Scale ?? 1, skipped, _clock.Elapsed.TotalSeconds);
    }

    /// <summary>A random batch of <c>BatchSize</c> training volumes for (step, substep).</summary>
    private Tensor Batch(long step, int substep)
    {
        // Not HashCode.Combine: it is randomized per process, and a resumed run must draw the same batches.
        var pick = new Random((int)(Mix(step, substep, 0x5eed) >> 33));
        int count = _data.Shape[0];
        var parts = Enumerable.Range(0, Options.BatchSize).Select(_ => Ops.Slice(_data, 0, pick.Next(count), 1)).ToArray();
        var batch = Ops.Concat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return batch;
    }

    private Tensor Latent(RandomGenerator rng) => Ops.Normal(new Shape(Options.BatchSize, Config.LatentDim), rng, device: Device);

    private RandomGenerator Rng(long step, int substep) => new(Mix(step, substep, 1));

    /// <summary>
    /// A 64-bit seed for (run seed, step, substep, stream), through the random kernels' SplitMix64 mixer
    /// (offset by its increment so that the seeds of existing runs are unchanged).
    /// </summary>
    private ulong Mix(long step, int substep, ulong stream) => RandomKernels.Mix(unchecked(
        Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)step * 1_000_003UL + (ulong)substep * 7919UL + stream - 0x9E3779B97F4A7C15UL));

    /// <summary>Generates <paramref name="count"/> volumes from N(0, sigma^2) latents without recording a graph.</summary>
    public Tensor Generate(int count, double sigma, ulong seed) => Generation.Sampler.Generate(Models.Generator, count, sigma, seed, Device);

    /// <summary>Writes generator, critic, the three optimizers and the loss scaler, plus <paramref name="metadata"/>, atomically.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        using var critic = _critic.StateDict("optimizer.critic.");
        using var synthesis = _synthesis.StateDict("optimizer.synthesis.");
        using var mapping = _mapping.StateDict("optimizer.mapping.");
        var meta = new Dictionary<string, string>(metadata)
        {
            ["step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["gan_config"] = JsonSerializer.Serialize(Config),
        };
        if (Scaler is not null)
            meta["loss_scaler"] = FormattableString.Invariant($"{Scaler.Scale:R} {Scaler.CleanSteps} {Scaler.SkippedSteps}");
        Checkpoint.Save(path, Models, [.. critic.Entries, .. synthesis.Entries, .. mapping.Entries], meta);
    }

    /// <summary>Restores everything <see cref="Save"/> wrote; returns the metadata.</summary>
    public Dictionary<string, string> Load(string path)
    {
        var (extra, metadata) = Checkpoint.Load(path, Models, "optimizer.");
        try
        {
            _critic.LoadStateDict(extra, "optimizer.critic.", path);
            _synthesis.LoadStateDict(extra, "optimizer.synthesis.", path);
            _mapping.LoadStateDict(extra, "optimizer.mapping.", path);
        }
        finally
        {
            foreach (var t in extra.Values) t.Dispose();
        }
        Step = metadata.TryGetValue("step", out var s) ? long.Parse(s, CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"{path}: no step in the checkpoint metadata; it was not written by voxelgan train");
        if (Scaler is not null && metadata.TryGetValue("loss_scaler", out var ls))
        {
            var parts = ls.Split(' ');
            Scaler.Restore(double.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
        }
        return metadata;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _critic.Dispose();
        _synthesis.Dispose();
        _mapping.Dispose();
        Models.Dispose();
        _data.Dispose();
    }
}
