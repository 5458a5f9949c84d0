using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VoxelGan.Autograd;
using VoxelGan.Gan.Models;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Training;

/// <summary>
/// WGAN-GP training of a <see cref="GanPair"/> on a standardized dataset. Three Nadam optimizers
/// (critic; generator synthesis; mapping network at a fraction of lr_G), each clipping its own global
/// norm, each with its own dynamic loss scaler under mixed precision (or one shared,
/// <see cref="TrainOptions.LossScalers"/>). Every random draw of iteration t (z, alpha) comes from
/// generators seeded by (seed, t), and the batch order from (seed, epoch), so a run resumed from a
/// checkpoint at step t continues exactly as if uninterrupted.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Tensor _data;
    private readonly Nadam _critic, _synthesis, _mapping;
    private readonly Dictionary<Nadam, DynamicLossScaler> _scalers = new(ReferenceEqualityComparer.Instance);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly BatchSchedule _batches;
    private readonly GeneratorAverage? _average;
    private ScoreWeights? _scoreWeights;

    /// <summary>Sets up training on <paramref name="data"/> ([N, 1, n, n, n], standardized; the trainer owns it).</summary>
    public Trainer(GanConfig config, TrainOptions options, Tensor data, Device? device = null)
    {
        Config = config.Validate();
        Options = options.Validate();
        Device = device ?? Device.Default;
        int n = config.Size;
        if (data.Shape.Rank != 5 || data.Shape[1] != 1 || data.Shape[2] != n || data.Shape[3] != n || data.Shape[4] != n)
            throw new ShapeException($"training data must be [count, 1, {n}, {n}, {n}] for --size {n}, got {data.Shape}");
        if (config.MinibatchStdGroup > 0 && options.BatchSize % config.MinibatchStdGroup != 0)
            throw new ArgumentException($"--batch-size {options.BatchSize} is not a multiple of the --minibatch-std group {config.MinibatchStdGroup}");
        _data = data.Detach();
        _batches = new BatchSchedule(options.Batches, data.Shape[0], options.BatchSize, options.CriticSteps, options.Seed);
        Models = new GanPair(config, options.Seed, Device);
        NadamOptions Adam(double lr) => new() { LearningRate = lr, Beta1 = options.Beta1, Beta2 = options.Beta2, Epsilon = options.Epsilon, ClipNorm = options.ClipNorm };
        _critic = new Nadam([Models.Critic.Group("critic")], Adam(options.LearningRateCritic));
        _synthesis = new Nadam([Models.Generator.SynthesisGroup()], Adam(options.LearningRateGenerator));
        _mapping = new Nadam([Models.Generator.MappingGroup(1)], Adam(options.LearningRateGenerator * options.MappingLearningRateFactor));
        if (options.AverageDecay > 0) _average = new GeneratorAverage(Models.Generator, options.AverageDecay);
        if (options.Precision.IsMixed())
        {
            DynamicLossScaler New() => new(options.InitialLossScale, options.LossScaleGrowthInterval);
            var shared = options.LossScalers == LossScalerMode.Shared ? New() : null;
            foreach (var o in new[] { _critic, _synthesis, _mapping }) _scalers[o] = shared ?? New();
        }
    }

#pragma warning disable CS1591
    public GanConfig Config { get; }
    public TrainOptions Options { get; }
    public Device Device { get; }
    public GanPair Models { get; }
#pragma warning restore CS1591

    /// <summary>
    /// The dynamic loss scalers (mixed precision; empty in fp32) by optimizer: <c>critic</c>, <c>synthesis</c>,
    /// <c>mapping</c> (one object under all three names when shared).
    /// </summary>
    public IReadOnlyDictionary<string, DynamicLossScaler> Scalers => _scalers.Count == 0 ? new Dictionary<string, DynamicLossScaler>()
        : new Dictionary<string, DynamicLossScaler> { ["critic"] = _scalers[_critic], ["synthesis"] = _scalers[_synthesis], ["mapping"] = _scalers[_mapping] };

    /// <summary>The moving average of the generator's weights (null unless <see cref="TrainOptions.AverageDecay"/> is set).</summary>
    public GeneratorAverage? Average => _average;

    /// <summary>Iterations done.</summary>
    public long Step { get; private set; }

    /// <summary>Runs one iteration (critic and generator updates) and returns its metrics.</summary>
    public StepMetrics TrainStep()
    {
        long step = Step + 1;
        double rate = Options.LearningRateSchedule(step);
        foreach (var o in new[] { _critic, _synthesis, _mapping }) o.LearningRateScale = rate;
        var metrics = Options.CriticSteps == 1 ? JointStep(step) : AlternatingStep(step);
        _average?.Update();
        Step = step;
        return metrics;
    }

    /// <summary>Whether one loss scaler serves all three optimizers (mixed precision with <see cref="LossScalerMode.Shared"/>).</summary>
    private bool SharedScaler => _scalers.Count > 0 && Options.LossScalers == LossScalerMode.Shared;

    private double LossScale(Nadam optimizer) => _scalers.TryGetValue(optimizer, out var s) ? s.Scale : 1;

    /// <summary>The factor every loss is multiplied by before backward: the loss scale, over the batch size when <see cref="TrainOptions.LossDividedByBatch"/>.</summary>
    private double Seed(Nadam optimizer) => LossScale(optimizer) / (Options.LossDividedByBatch ? Options.BatchSize : 1);

    /// <summary>
    /// The generator's forward pass, with the gradient rescaled at the mapping network's output so that the
    /// mapping parameters receive their own loss scale in a backward seeded with the synthesis network's.
    /// </summary>
    private Var GenerateForTraining(Tensor z)
    {
        var mapped = Models.Generator.Map(new Var(z));
        double ratio = LossScale(_mapping) / LossScale(_synthesis);
        return Models.Generator.Synthesize(ratio == 1 ? mapped : ScaleGradient(mapped, ratio), Options.Precision);
    }

    /// <summary>
    /// The authors' update: one generator forward feeds both losses. Backpropagating L_D leaves on the
    /// generator's weights the gradient of E[D(fake)] = -L_G (the penalty uses the fake batch as data),
    /// so the generator steps with that gradient negated; one backward pass serves both networks (the
    /// gradient is rescaled where it leaves the critic, so each optimizer sees its own loss scale).
    /// </summary>
    private StepMetrics JointStep(long step)
    {
        using var scope = TensorScope.Begin();
        Models.ZeroGrad();
        var rng = Rng(step, 0);
        var real = Batch(step, 0);
        var fake = GenerateForTraining(Latent(rng));
        double ratio = LossScale(_synthesis) / LossScale(_critic);
        var scaled = ratio == 1 ? fake : ScaleGradient(fake, ratio);
        var (lossD, gp, dReal, dFake) = CriticLoss(real, scaled, rng);
        // The generator ascends what reaches it from here, so its own penalty enters with a minus sign (the critic's
        // weights do not see it).
        var objective = Options.FractionPenalty > 0 ? lossD - FractionPenalty.Of(scaled) * Options.FractionPenalty : lossD;
        (objective * Seed(_critic)).Backward();
        // The generator's weights hold the gradient of E[D(fake)], which the generator maximizes.
        var queued = Queue([(_critic, StepDirection.Descend), (_synthesis, StepDirection.Ascend), (_mapping, StepDirection.Ascend)]);
        return Metrics(step, lossD.Data, gp.Data, dReal, dFake, fake.Data, queued, skippedBefore: false);
    }

    /// <summary>The usual WGAN-GP alternation: <c>CriticSteps</c> critic updates, then one generator update.</summary>
    private StepMetrics AlternatingStep(long step)
    {
        using var scope = TensorScope.Begin();
        Tensor? lossD = null, gp = null, dReal = null;
        bool skipped = false;
        var unread = new List<Tensor>();
        for (int k = 0; k < Options.CriticSteps; k++)
        {
            using var inner = TensorScope.Begin();
            Models.ZeroGrad();
            var rng = Rng(step, k);
            Var fake;
            using (GradMode.NoGrad()) fake = new Var(Models.Generator.Forward(new Var(Latent(rng)), Options.Precision).Data);
            var (l, p, r, f) = CriticLoss(Batch(step, k), fake, rng);
            (l * Seed(_critic)).Backward();
            var queued = Queue([(_critic, StepDirection.Descend)]);
            // Under mixed precision each critic step is settled before the next backward, which needs the loss scale
            // it decided. In fp32 a skipped step ends training anyway, so the step is taken as applied and its gate
            // is read with the iteration's metrics.
            if (_scalers.Count > 0) skipped |= !Settle(queued, Ops.ReadScalars([.. queued.Sums]));
            else
            {
                _critic.Settle(true);
                unread.AddRange(queued.Sums.Select(t => t.MoveToOuter()));
            }
            // The last critic step's values are reported; they outlive the inner scope (scalars, freed with the step's).
            (lossD, gp, dReal) = (l.Data.MoveToOuter(), p.Data.MoveToOuter(), r.MoveToOuter());
        }
        Models.ZeroGrad();
        var fakeG = GenerateForTraining(Latent(Rng(step, Options.CriticSteps)));
        var lossG = -Mean(Models.Critic.Forward(fakeG, Options.Precision));
        var objectiveG = Options.FractionPenalty > 0 ? lossG + FractionPenalty.Of(fakeG) * Options.FractionPenalty : lossG;
        (objectiveG * Seed(_synthesis)).Backward();
        var generatorSteps = Queue([(_synthesis, StepDirection.Descend), (_mapping, StepDirection.Descend)]) with { Unread = [.. unread] };
        Models.Critic.ZeroGrad();
        // E[D(fake)] of the generator's batch is -L_G.
        return Metrics(step, lossD!, gp!, dReal!, (-lossG).Data, fakeG.Data, generatorSteps, skipped);
    }

    private (Var Loss, Var Penalty, Tensor MeanReal, Tensor MeanFake) CriticLoss(Tensor real, Var fake, RandomGenerator rng)
    {
        // Real and generated volumes pass through the critic as one batch (the critic treats samples independently):
        // one forward and one backward pass instead of two, half the launches, and one gradient per weight to sum.
        int b = real.Shape[0];
        var scores = Models.Critic.Forward(Concat([new Var(real), fake], 0), Options.Precision);
        if (_scoreWeights?.Fit(scores.Data) != true)
        {
            _scoreWeights?.Dispose();
            _scoreWeights = ScoreWeights.Create(b, scores.DType, Device);
        }
        // E[D(fake)] - E[D(real)] as one product (and one in backward), the two means for the metrics as another.
        var wasserstein = Reshape(MatMul(new Var(_scoreWeights.Difference), scores));
        var means = Ops.MatMul(_scoreWeights.Means, scores.Data);
        var alpha = Ops.Uniform(new Shape(real.Shape[0], 1, 1, 1, 1), rng, device: Device);
        var gp = WganGp.GradientPenalty(Models.Critic, real, fake.Data, alpha, Options.Precision);
        return (wasserstein + gp * Options.GradientPenaltyWeight, gp, means.Segment(0, Shape.Scalar), means.Segment(1, Shape.Scalar));
    }

    /// <summary>
    /// Optimizer steps launched but not yet settled, with the device sums of squares that gate them, and the gates of
    /// fp32 steps already settled as applied whose values are still to be checked (<see cref="AlternatingStep"/>).
    /// </summary>
    private sealed record QueuedSteps(Nadam[] Optimizers, Tensor[] Sums)
    {
        public Tensor[] Unread { get; init; } = [];
    }

    /// <summary>
    /// Launches the optimizers' steps without reading anything to the host: each optimizer's float64 sum of
    /// squares is reduced on the device, and the update kernels skip the step there when the gate is not finite.
    /// The gate of an optimizer is its own sum with a scaler per optimizer (or in fp32), and every sum of the
    /// step with a shared scaler, where an overflow anywhere skips them all.
    /// </summary>
    private QueuedSteps Queue((Nadam Optimizer, StepDirection Direction)[] steps)
    {
        var sums = steps.Select(s => s.Optimizer.SumOfSquares()).ToArray();
        var all = SharedScaler ? Ops.Concat([.. sums.Select(t => t.Reshape(1))], 0) : null;
        for (int k = 0; k < steps.Length; k++)
            steps[k].Optimizer.Queue(all ?? sums[k], all is null ? 0 : k, 1 / LossScale(steps[k].Optimizer), steps[k].Direction);
        return new QueuedSteps([.. steps.Select(s => s.Optimizer)], sums);
    }

    /// <summary>
    /// Settles queued steps once their sums have been read (<paramref name="sums"/>, in the queue's order): under
    /// mixed precision each scaler learns whether its optimizer's step went through (halving on an overflow); in
    /// fp32 a non-finite gradient stops training. Returns false when any step was skipped.
    /// </summary>
    private bool Settle(QueuedSteps queued, IReadOnlyList<double> sums)
    {
        bool shared = SharedScaler;
        bool allFinite = sums.All(double.IsFinite);
        if (shared) _scalers[_critic].Update(allFinite);
        for (int k = 0; k < queued.Optimizers.Length; k++)
        {
            var optimizer = queued.Optimizers[k];
            bool applied = shared ? allFinite : double.IsFinite(sums[k]);
            optimizer.Settle(applied);
            if (!shared && _scalers.TryGetValue(optimizer, out var scaler)) scaler.Update(applied);
            else if (_scalers.Count == 0 && !applied) throw new NonFiniteLossException(Step + 1, "gradient", sums[k]);
        }
        return allFinite;
    }

    /// <summary>
    /// The step's metrics and the queued optimizer steps' gates from one host read: the critic loss, the penalty, the
    /// two critic means, the generated batch's mean and mean square and the sums of squares are gathered on the
    /// device first (a read each would be a host synchronization each), and the queued steps are settled with them.
    /// </summary>
    private StepMetrics Metrics(long step, Tensor lossD, Tensor gp, Tensor dReal, Tensor dFake, Tensor fake, QueuedSteps queued, bool skippedBefore)
    {
        using var scope = TensorScope.Begin();
        var f = fake.DType == DType.Float32 ? fake : Ops.Cast(fake, DType.Float32);
        // Sums, divided here: a mean on the device would be a launch more each.
        var v = Ops.ReadScalars([lossD, gp, dReal, dFake, Ops.Sum(f), Ops.Sum(Ops.Square(f)), .. queued.Sums, .. queued.Unread]);
        double critic = v[0], penalty = v[1], real = v[2], generated = v[3], mean = v[4] / f.Numel, meanSquare = v[5] / f.Numel;
        NonFiniteLossException.ThrowIfNotFinite(step, "critic loss", critic);
        NonFiniteLossException.ThrowIfNotFinite(step, "generator loss", -generated);
        foreach (double unread in v[(6 + queued.Sums.Length)..])
            if (!double.IsFinite(unread)) throw new NonFiniteLossException(step, "gradient", unread);
        bool skipped = !Settle(queued, v[6..(6 + queued.Sums.Length)]) || skippedBefore;
        double std = Math.Sqrt(Math.Max(0, meanSquare - mean * mean));
        return new StepMetrics(step, critic, -generated, penalty, real - generated, mean, std, LossScale(_critic), skipped, _clock.Elapsed.TotalSeconds);
    }

    /// <summary>The training volumes of (step, substep), in the order of <see cref="BatchSchedule"/>.</summary>
    private Tensor Batch(long step, int substep)
    {
        // Views of the chosen volumes (no copy), gathered into the batch in one launch per eight.
        var volume = new Shape([1, .. _data.Shape.ToArray()[1..]]);
        var parts = _batches.Indices(step, substep).Select(i => _data.Segment((long)i * volume.Numel, volume)).ToArray();
        var batch = Ops.Concat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return batch;
    }

    private Tensor Latent(RandomGenerator rng) => Ops.Normal(new Shape(Options.BatchSize, Config.LatentDim), rng, device: Device);

    private RandomGenerator Rng(long step, int substep) => new(_batches.Mix(step, substep, 1));

    /// <summary>
    /// Generates <paramref name="count"/> volumes from N(0, sigma^2) latents without recording a graph, with the
    /// averaged weights when the run keeps an average.
    /// </summary>
    public Tensor Generate(int count, double sigma, ulong seed) => Generation.Sampler.Generate(_average?.Model ?? Models.Generator, count, sigma, seed, Device);

    /// <summary>
    /// Writes generator, critic, the generator's average (when kept), the three optimizers and the loss scalers, plus
    /// <paramref name="metadata"/>, atomically.
    /// </summary>
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
        foreach (var (key, scaler) in ScalerKeys())
            meta[key] = FormattableString.Invariant($"{scaler.Scale:R} {scaler.CleanSteps} {scaler.SkippedSteps}");
        Checkpoint.Save(path, Models, [.. critic.Entries, .. synthesis.Entries, .. mapping.Entries, .. _average?.Entries() ?? []], meta);
    }

    /// <summary>Restores everything <see cref="Save"/> wrote; returns the metadata.</summary>
    public Dictionary<string, string> Load(string path)
    {
        var (extra, metadata) = Checkpoint.Load(path, Models, "optimizer.", GeneratorAverage.Prefix);
        try
        {
            _critic.LoadStateDict(extra, "optimizer.critic.", path);
            _synthesis.LoadStateDict(extra, "optimizer.synthesis.", path);
            _mapping.LoadStateDict(extra, "optimizer.mapping.", path);
            _average?.Load(extra, path);
        }
        finally
        {
            foreach (var t in extra.Values) t.Dispose();
        }
        Step = metadata.TryGetValue("step", out var s) ? long.Parse(s, CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"{path}: no step in the checkpoint metadata; it was not written by voxelgan train");
        foreach (var (key, scaler) in ScalerKeys())
        {
            // A checkpoint of a run with one shared scaler holds only "loss_scaler".
            if (!metadata.TryGetValue(key, out var ls) && !metadata.TryGetValue("loss_scaler", out ls)) continue;
            var parts = ls.Split(' ');
            if (parts.Length != 3 || !double.TryParse(parts[0], CultureInfo.InvariantCulture, out double scale)
                || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int clean) || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out long skipped))
                throw new InvalidDataException($"{path}: metadata {key} '{ls}' is not 'scale clean-steps skipped-steps'");
            scaler.Restore(scale, clean, skipped);
        }
        return metadata;
    }

    /// <summary>The metadata key of each distinct loss scaler: <c>loss_scaler</c> when shared, else one per optimizer.</summary>
    private IEnumerable<(string Key, DynamicLossScaler Scaler)> ScalerKeys()
    {
        if (_scalers.Count == 0) yield break;
        if (Options.LossScalers == LossScalerMode.Shared)
        {
            yield return ("loss_scaler", _scalers[_critic]);
            yield break;
        }
        yield return ("loss_scaler.critic", _scalers[_critic]);
        yield return ("loss_scaler.synthesis", _scalers[_synthesis]);
        yield return ("loss_scaler.mapping", _scalers[_mapping]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _critic.Dispose();
        _synthesis.Dispose();
        _mapping.Dispose();
        _average?.Dispose();
        _scoreWeights?.Dispose();
        Models.Dispose();
        _data.Dispose();
    }
}
