using VoxelGan.Layers;

namespace VoxelGan.Gan.Training;

/// <summary>
/// Training hyperparameters; defaults are the paper's Table 1 resolved against the authors' code
/// (DESIGN.md section 3).
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Iterations (generator updates) to train in total.</summary>
    public long Iterations { get; init; } = 20_000;

    /// <summary>Volumes per batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Critic learning rate lr_D.</summary>
    public double LearningRateCritic { get; init; } = 1e-4;

    /// <summary>Generator learning rate lr_G.</summary>
    public double LearningRateGenerator { get; init; } = 5e-5;

    /// <summary>The mapping network's learning rate as a fraction of lr_G (0.01 in the code, 0.1 in the paper's text).</summary>
    public double MappingLearningRateFactor { get; init; } = 0.01;

    /// <summary>Nadam beta1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Nadam beta2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Nadam epsilon (Keras default).</summary>
    public double Epsilon { get; init; } = 1e-7;

    /// <summary>Gradient-penalty weight lambda.</summary>
    public double GradientPenaltyWeight { get; init; } = 10;

    /// <summary>Global-norm clipping per optimizer (0 disables).</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Critic updates per generator update; 1 = the code's joint update from one forward pass.</summary>
    public int CriticSteps { get; init; } = 1;

    /// <summary>Activation storage: mixed (the code's default) or fp32.</summary>
    public Precision Precision { get; init; } = Precision.Mixed;

    /// <summary>Seed of weights, batches, latent vectors and interpolation weights.</summary>
    public ulong Seed { get; init; }

    /// <summary>Write a PNG grid of generated centre slices every this many iterations (0: never).</summary>
    public long SampleEvery { get; init; } = 500;

    /// <summary>Keep a numbered checkpoint every this many iterations (latest.safetensors is refreshed then too).</summary>
    public long CheckpointEvery { get; init; } = 1000;

    /// <summary>Initial dynamic loss scale (mixed precision).</summary>
    public double InitialLossScale { get; init; } = 32768;

    /// <summary>Clean steps before the loss scale doubles.</summary>
    public int LossScaleGrowthInterval { get; init; } = 2000;

    /// <summary>
    /// Divide every loss by the batch size before differentiating, so each optimizer clips the gradient of
    /// loss/batch (the authors' <c>tf.nn.compute_average_loss(loss, global_batch_size)</c>). The reported
    /// losses are not divided. False clips the gradient of the loss itself (batch times harder).
    /// </summary>
    public bool LossDividedByBatch { get; init; } = true;

    /// <summary>Mixed precision: one dynamic loss scaler per optimizer (the authors') or one shared by all three.</summary>
    public LossScalerMode LossScalers { get; init; } = LossScalerMode.PerOptimizer;

    /// <summary>Epoch-wise shuffling (every volume once per epoch, the authors') or batches drawn with replacement.</summary>
    public BatchOrder Batches { get; init; } = BatchOrder.Shuffle;

    /// <summary>
    /// Keep an exponential moving average of the generator's weights with this decay (0: none, the paper's); generation
    /// then uses the average (<see cref="GeneratorAverage"/>). 0.999 averages over about the last thousand iterations.
    /// </summary>
    public double AverageDecay { get; init; }

    /// <summary>
    /// The last fraction of <see cref="Iterations"/> over which every learning rate falls linearly to zero (0: constant
    /// rates, the paper's). Step t of T runs at the rate times min(1, (T - t + 1) / (fraction T)).
    /// </summary>
    public double LearningRateDecay { get; init; }

    /// <summary>
    /// Weight w of a phase-fraction term in the generator's loss (0: none, the paper's): w mean_i z_i^2 with
    /// z_i = sqrt(V) m_i, m_i the mean of generated volume i in standardized units (0 is the training set's mean, so its
    /// fraction) and V its voxels (z is about 1 where voxels vary independently). The critic alone leaves the generated
    /// volumes' fractions spread about ten times wider than the training packings'; this pulls each toward the data's.
    /// </summary>
    public double FractionPenalty { get; init; }

    /// <summary>The factor on every learning rate at step <paramref name="step"/> (1-based) under <see cref="LearningRateDecay"/>.</summary>
    public double LearningRateSchedule(long step) =>
        LearningRateDecay == 0 ? 1 : Math.Clamp((Iterations - step + 1) / (LearningRateDecay * Iterations), 0, 1);

    /// <summary>
    /// 2 for runs that store the three options above; a run configuration without it was written by
    /// version 1, whose behaviour <see cref="RunConfig.FromJson"/> restores.
    /// </summary>
    public int RecipeVersion { get; init; } = 2;

    /// <summary>Throws naming the first invalid option.</summary>
    public TrainOptions Validate()
    {
        if (Iterations < 1) throw new ArgumentException($"--iterations must be positive, got {Iterations}");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size must be positive, got {BatchSize}");
        if (!(LearningRateCritic > 0) || !(LearningRateGenerator > 0)) throw new ArgumentException($"learning rates must be positive, got lr_D {LearningRateCritic}, lr_G {LearningRateGenerator}");
        if (!(MappingLearningRateFactor > 0)) throw new ArgumentException($"--mapping-lr-factor must be positive, got {MappingLearningRateFactor}");
        if (!(Beta1 is >= 0 and < 1) || !(Beta2 is >= 0 and < 1)) throw new ArgumentException($"betas must lie in [0, 1), got {Beta1}, {Beta2}");
        if (!(Epsilon > 0)) throw new ArgumentException($"--epsilon must be positive, got {Epsilon}");
        if (!(GradientPenaltyWeight >= 0)) throw new ArgumentException($"--gp-weight must be non-negative, got {GradientPenaltyWeight}");
        if (!(ClipNorm >= 0)) throw new ArgumentException($"--clip-norm must be non-negative (0 disables), got {ClipNorm}");
        if (CriticSteps < 1) throw new ArgumentException($"--critic-steps must be at least 1, got {CriticSteps}");
        if (!(AverageDecay is >= 0 and < 1)) throw new ArgumentException($"--average-decay must lie in [0, 1) (0: no average), got {AverageDecay}");
        if (!(LearningRateDecay is >= 0 and <= 1)) throw new ArgumentException($"--lr-decay must lie in [0, 1] (a fraction of the iterations; 0: constant rates), got {LearningRateDecay}");
        if (!(FractionPenalty >= 0) || double.IsInfinity(FractionPenalty)) throw new ArgumentException($"--fraction-penalty must be a finite non-negative weight (0: none), got {FractionPenalty}");
        if (SampleEvery < 0 || CheckpointEvery < 0) throw new ArgumentException("--sample-every and --checkpoint-every must be non-negative");
        return this;
    }
}

/// <summary>How mixed precision scales the losses of the three optimizers.</summary>
public enum LossScalerMode
{
    /// <summary>Critic, synthesis and mapping each have a dynamic scaler; an overflow skips only that optimizer's step.</summary>
    PerOptimizer,

    /// <summary>One scaler; an overflow anywhere skips the whole iteration.</summary>
    Shared,
}

/// <summary>The order in which training volumes are drawn into batches.</summary>
public enum BatchOrder
{
    /// <summary>A fresh permutation every epoch, consecutive batches from it (an epoch may end inside a batch).</summary>
    Shuffle,

    /// <summary>Every volume of every batch drawn uniformly, with replacement.</summary>
    Replacement,
}
