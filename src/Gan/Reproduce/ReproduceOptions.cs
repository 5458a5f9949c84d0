using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;

namespace VoxelGan.Gan.Reproduce;

/// <summary>
/// The setting of the paper's Table 2 (32^3 sphere packings, nGf 32, growing critic with nDf 16, 10^4
/// training samples, 10^5 iterations, 10^3 generated volumes) with the training defaults of <c>train</c>
/// (the paper's Table 1 resolved against the authors' code). Every number can be scaled down for a
/// quick look or a test; the report says what was run.
/// </summary>
/// <param name="Folder">Where the run, the two volume sets, <c>evaluation.json</c> and <c>report.md</c> go; a run already there is resumed.</param>
/// <param name="Iterations">Training iterations.</param>
/// <param name="DataCount">Training volumes (the authors' sphere generator, seed <paramref name="Seed"/>).</param>
/// <param name="Volumes">Generated volumes, and training volumes kept as the evaluation baseline.</param>
/// <param name="Homogenize">Volumes per set homogenized for C11.</param>
/// <param name="Precision">Mixed (the authors') or fp32.</param>
/// <param name="Size">Volume edge.</param>
/// <param name="Ngf">Generator filters of the last block.</param>
/// <param name="Ndf">Critic filters of the first block.</param>
/// <param name="Seed">Seed of data, weights, batches and latents.</param>
public sealed record ReproduceOptions(string Folder, long Iterations = 100_000, int DataCount = 10_000, int Volumes = 1000, int Homogenize = 100,
    Precision Precision = Precision.Mixed, int Size = 32, int Ngf = 32, int Ndf = 16, ulong Seed = 0)
{
    /// <summary>The paper's Table 2 errors for this setting (Eq. 34): E_p1, E_p2, E_C11.</summary>
    public static readonly (double P1, double P2, double C11) Table2 = (4.660e-2, 2.786e-2, 7.266e-3);

    /// <summary>
    /// Architecture choices other than the size, the filters and the topology (initialization, the minibatch statistic,
    /// the critic's slope, the transposed convolutions' convention): the paper's unless set.
    /// </summary>
    public GanConfig Architecture { get; init; } = new();

    /// <summary>The training recipe other than the iterations, precision, seed and intervals (rates, batch, optimizer, ...): <c>train</c>'s defaults (the paper's) unless set.</summary>
    public TrainOptions Recipe { get; init; } = new();

    /// <summary>The architecture (growing critic of this size and filters, the rest from <see cref="Architecture"/>).</summary>
    public GanConfig Model => (Architecture with { Size = Size, Ngf = Ngf, Ndf = Ndf, Topology = CriticTopology.Growing }).Validate();

    /// <summary><see cref="Recipe"/> with this run's iterations, precision and seed; ten checkpoints and sample grids over the run (at most every 1000 iterations).</summary>
    public TrainOptions Training
    {
        get
        {
            long every = Math.Clamp(Iterations / 10, 1, 1000);
            return (Recipe with { Iterations = Iterations, Precision = Precision, Seed = Seed, CheckpointEvery = every, SampleEvery = every }).Validate();
        }
    }

    /// <summary>The training data: the authors' sphere generator in memory.</summary>
    public DataSpec Data => new("spheres", DataCount, Seed, SphereStyle.Authors);

    /// <summary>
    /// Where a run saved in the folder was set up differently from these options (architecture, recipe, data), as
    /// "--option saved vs given" phrases; a resumed run keeps its own settings, so a difference would otherwise be
    /// silently ignored. Iterations may differ (that is how a run is extended).
    /// </summary>
    public IReadOnlyList<string> Differences(RunConfig saved)
    {
        var (gan, train, model, training) = (saved.Gan, saved.Train, Model, Training);
        var list = new List<string>();
        void Check<T>(string option, T was, T given)
        {
            if (!EqualityComparer<T>.Default.Equals(was, given)) list.Add(FormattableString.Invariant($"{option} {was} in the run, {given} given"));
        }
        Check("--size", gan.Size, model.Size);
        Check("--ngf", gan.Ngf, model.Ngf);
        Check("--ndf", gan.Ndf, model.Ndf);
        Check("--critic-slope", gan.CriticSlope, model.CriticSlope);
        Check("--transposed-padding", gan.TransposedConvolution, model.TransposedConvolution);
        Check("--output-margin", gan.OutputMargin, model.OutputMargin);
        Check("--init-gain", gan.InitGain, model.InitGain);
        Check("--critic-init-gain", gan.CriticInitGain, model.CriticInitGain);
        Check("--init-balanced", gan.BalancedInit, model.BalancedInit);
        Check("--init-interpolating", gan.InterpolatingInit, model.InterpolatingInit);
        Check("--init-skip-gain", gan.SkipInitGain, model.SkipInitGain);
        Check("--upsampling", gan.Upsampling, model.Upsampling);
        Check("--minibatch-std", gan.MinibatchStdGroup, model.MinibatchStdGroup);
        Check("--precision", train.Precision, training.Precision);
        Check("--seed", train.Seed, training.Seed);
        Check("--batch-size", train.BatchSize, training.BatchSize);
        Check("--lr-d", train.LearningRateCritic, training.LearningRateCritic);
        Check("--lr-g", train.LearningRateGenerator, training.LearningRateGenerator);
        Check("--mapping-lr-factor", train.MappingLearningRateFactor, training.MappingLearningRateFactor);
        Check("--beta1", train.Beta1, training.Beta1);
        Check("--beta2", train.Beta2, training.Beta2);
        Check("--epsilon", train.Epsilon, training.Epsilon);
        Check("--gp-weight", train.GradientPenaltyWeight, training.GradientPenaltyWeight);
        Check("--clip-norm", train.ClipNorm, training.ClipNorm);
        Check("--critic-steps", train.CriticSteps, training.CriticSteps);
        Check("--loss-divided-by-batch", train.LossDividedByBatch, training.LossDividedByBatch);
        Check("--loss-scalers", train.LossScalers, training.LossScalers);
        Check("--batches", train.Batches, training.Batches);
        Check("--average-decay", train.AverageDecay, training.AverageDecay);
        Check("--lr-decay", train.LearningRateDecay, training.LearningRateDecay);
        Check("--fraction-penalty", train.FractionPenalty, training.FractionPenalty);
        Check("--data-count", saved.Data.Count, DataCount);
        return list;
    }

    /// <summary>Throws naming the first count that cannot work.</summary>
    public ReproduceOptions Validate()
    {
        if (DataCount < 1) throw new ArgumentException($"--data-count must be positive, got {DataCount}");
        if (Volumes < 1) throw new ArgumentException($"--volumes must be positive, got {Volumes}");
        if (Homogenize < 0) throw new ArgumentException($"--homogenize must be non-negative, got {Homogenize}");
        _ = Model;
        _ = Training;
        return this;
    }
}
