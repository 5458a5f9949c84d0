using System.CommandLine;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;

namespace VoxelGan.Cli;

/// <summary>The architecture and training options, defined once for <c>model</c>, <c>train</c> and <c>demo</c>; defaults are read from <see cref="GanConfig"/> and <see cref="TrainOptions"/> (the paper's).</summary>
internal sealed class GanOptions
{
    // The one source of every default: the library's records; the options only read them.
    private static readonly GanConfig GanDefaults = new();
    private static readonly TrainOptions TrainDefaults = new();

    public readonly Option<int> Size = new("--size") { Description = "volume edge (a power of two: 32 or 64 in the paper)", DefaultValueFactory = _ => GanDefaults.Size };
    public readonly Option<int> Ngf = new("--ngf") { Description = "generator filters of the last block (nGf)", DefaultValueFactory = _ => GanDefaults.Ngf };
    public readonly Option<int> Ndf = new("--ndf") { Description = "critic filters of the first block (nDf)", DefaultValueFactory = _ => GanDefaults.Ndf };
    public readonly ChoiceOption<CriticTopology> Topology = new("--critic-topology", "critic filters per block: S, 2S, 4S, ... or S throughout", GanDefaults.Topology,
        ("growing", CriticTopology.Growing), ("constant", CriticTopology.Constant));
    public readonly ChoiceOption<SameConvention> TransposedConvolution = new("--transposed-padding", "kernel placement of the generator's stride-2 transposed convolutions: TensorFlow's 'same' (the authors', input voxel i -> outputs 2i..2i+2) or PyTorch's (2i-1..2i+1)",
        GanDefaults.TransposedConvolution, ("tensorflow", SameConvention.TensorFlow), ("pytorch", SameConvention.PyTorch));
    public readonly Option<double> CriticSlope = new("--critic-slope") { Description = "critic LeakyReLU slope (code 0.3, paper text 0.2)", DefaultValueFactory = _ => GanDefaults.CriticSlope };

    public readonly Option<double> OutputMargin = new("--output-margin") { Description = "widen the generator's output range by this fraction of the data range on each side (0: the paper's)", DefaultValueFactory = _ => GanDefaults.OutputMargin };
    public readonly Option<bool> BalancedInit = new("--init-balanced") { Description = "scale each generator kernel after its orthogonal draw so every layer keeps its input's variance (default: the authors' plain orthogonal draw)", DefaultValueFactory = _ => GanDefaults.BalancedInit };
    public readonly Option<bool> InterpolatingInit = new("--init-interpolating") { Description = "start the generator's kernel-3 stride-2 transposed convolutions as a channel mix plus trilinear interpolation (no parity checkerboard at the start; default: the authors' plain orthogonal draw)", DefaultValueFactory = _ => GanDefaults.InterpolatingInit };
    public readonly Option<double> SkipInitGain = new("--init-skip-gain") { Description = "multiplies the initial weights of the generator's kernel-1 skip convolutions (1: the authors'; 0 starts them silent, without their lattice)", DefaultValueFactory = _ => GanDefaults.SkipInitGain };
    public readonly ChoiceOption<GeneratorUpsampling> Upsampling = new("--upsampling", "how the generator's blocks and output layer double the grid: a kernel-3 stride-2 transposed convolution (the paper's) or resize, nearest upsampling by 2 + a kernel-3 stride-1 convolution (no position pattern of period 2; run fused as a kernel-4 stride-2 transposed convolution, 64/27 times the multiply-adds of the kernel-3 one)",
        GanDefaults.Upsampling, ("transposed", GeneratorUpsampling.TransposedConvolution), ("resize", GeneratorUpsampling.Resize));
    public readonly Option<double> InitGain = new("--init-gain") { Description = "gain of the orthogonal initialization (1: the authors'; 1.387 for LeakyReLU 0.2); the critic's too unless --critic-init-gain", DefaultValueFactory = _ => GanDefaults.InitGain };
    public readonly Option<int> MinibatchStd = new("--minibatch-std") { Description = "group size of a minibatch standard-deviation channel before the critic's head (ProGAN's; lets the critic see how the generated set varies; 0: none, the paper's)", DefaultValueFactory = _ => GanDefaults.MinibatchStdGroup };
    public readonly Option<double?> CriticInitGain = new("--critic-init-gain") { Description = "gain of the critic's orthogonal initialization (default: --init-gain)" };

    public readonly Option<long> Iterations = new("--iterations") { Description = "training iterations", DefaultValueFactory = _ => TrainDefaults.Iterations };
    public readonly Option<int> Batch = new("--batch-size") { Description = "volumes per batch", DefaultValueFactory = _ => TrainDefaults.BatchSize };
    public readonly Option<double> LrD = new("--lr-d") { Description = "critic learning rate", DefaultValueFactory = _ => TrainDefaults.LearningRateCritic };
    public readonly Option<double> LrG = new("--lr-g") { Description = "generator learning rate", DefaultValueFactory = _ => TrainDefaults.LearningRateGenerator };
    public readonly Option<double> MappingFactor = new("--mapping-lr-factor") { Description = "mapping network lr as a fraction of lr_G (code 0.01, paper text 0.1)", DefaultValueFactory = _ => TrainDefaults.MappingLearningRateFactor };
    public readonly Option<double> Beta1 = new("--beta1") { Description = "Nadam beta1", DefaultValueFactory = _ => TrainDefaults.Beta1 };
    public readonly Option<double> Beta2 = new("--beta2") { Description = "Nadam beta2", DefaultValueFactory = _ => TrainDefaults.Beta2 };
    public readonly Option<double> Epsilon = new("--epsilon") { Description = "Nadam epsilon", DefaultValueFactory = _ => TrainDefaults.Epsilon };
    public readonly Option<double> GpWeight = new("--gp-weight") { Description = "gradient penalty weight lambda", DefaultValueFactory = _ => TrainDefaults.GradientPenaltyWeight };
    public readonly Option<double> Clip = new("--clip-norm") { Description = "global-norm gradient clipping per optimizer (0 disables)", DefaultValueFactory = _ => TrainDefaults.ClipNorm };
    public readonly Option<int> CriticSteps = new("--critic-steps") { Description = "critic updates per generator update (1: the code's joint update)", DefaultValueFactory = _ => TrainDefaults.CriticSteps };
    public readonly Option<string> Precision = new("--precision") { Description = "mixed (fp16 activations between blocks, each block recomputed in backward, loss scaling; the code's default), mixed-no-recompute (the same fp16 activations, every intermediate kept: no recomputation, about fp32's memory) or fp32", DefaultValueFactory = _ => TrainDefaults.Precision.Name() };
    public readonly Option<ulong> Seed = new("--seed") { Description = "seed of weights, batches and latents", DefaultValueFactory = _ => TrainDefaults.Seed };
    public readonly Option<long> SampleEvery = new("--sample-every") { Description = "PNG of generated centre slices every K iterations (0: never)", DefaultValueFactory = _ => TrainDefaults.SampleEvery };
    public readonly Option<bool> LossPerBatch = new("--loss-divided-by-batch") { Description = "divide each loss by the batch size before clipping its gradient (the authors' compute_average_loss); false clips the loss's own gradient", DefaultValueFactory = _ => TrainDefaults.LossDividedByBatch };
    public readonly ChoiceOption<LossScalerMode> LossScalers = new("--loss-scalers", "mixed precision: a dynamic loss scaler per optimizer (the authors') or one shared", TrainDefaults.LossScalers,
        ("per-optimizer", LossScalerMode.PerOptimizer), ("shared", LossScalerMode.Shared));
    public readonly ChoiceOption<BatchOrder> Batches = new("--batches", "batch order: a fresh permutation every epoch (the authors') or draws with replacement", TrainDefaults.Batches,
        ("shuffle", BatchOrder.Shuffle), ("replacement", BatchOrder.Replacement));
    public readonly Option<double> AverageDecay = new("--average-decay") { Description = "keep a moving average of the generator's weights with this decay (e.g. 0.999; 0: none, the paper's); generate and samples then use it", DefaultValueFactory = _ => TrainDefaults.AverageDecay };
    public readonly Option<double> LrDecay = new("--lr-decay") { Description = "the last fraction of the iterations over which all learning rates fall linearly to zero (0: constant, the paper's)", DefaultValueFactory = _ => TrainDefaults.LearningRateDecay };
    public readonly Option<double> FractionPenalty = new("--fraction-penalty") { Description = "weight of a term in the generator's loss that pulls each generated volume's phase fraction toward the training set's (0: none, the paper's)", DefaultValueFactory = _ => TrainDefaults.FractionPenalty };
    public readonly Option<long> CheckpointEvery = new("--checkpoint-every") { Description = "numbered checkpoint every K iterations", DefaultValueFactory = _ => TrainDefaults.CheckpointEvery };

    public void AddArchitecture(Command c)
    {
        foreach (var o in new Option[] { Size, Ngf, Ndf, Topology.Option, CriticSlope, TransposedConvolution.Option, Upsampling.Option, OutputMargin, InitGain, CriticInitGain, BalancedInit, InterpolatingInit, SkipInitGain, MinibatchStd }) c.Options.Add(o);
    }

    public void AddTraining(Command c)
    {
        foreach (var o in new Option[] { Iterations, Batch, LrD, LrG, MappingFactor, Beta1, Beta2, Epsilon, GpWeight, Clip, CriticSteps, Precision, Seed, SampleEvery, CheckpointEvery,
                     LossPerBatch, LossScalers.Option, Batches.Option, AverageDecay, LrDecay, FractionPenalty })
            c.Options.Add(o);
    }

    /// <summary>
    /// The recipe alone, for a command that fixes the rest itself (<c>reproduce</c>: size, filters, topology,
    /// iterations, precision, seed and the checkpoint and sample intervals): initialization, the minibatch statistic,
    /// the critic's slope and the transposed convolutions' convention; rates, batch, optimizer, penalty, clipping, critic
    /// steps, loss scaling, batch order, averaging and the schedule. <see cref="Config"/> and <see cref="Train"/> then
    /// give the defaults for the options left out.
    /// </summary>
    public void AddRecipe(Command c)
    {
        foreach (var o in new Option[] { CriticSlope, TransposedConvolution.Option, Upsampling.Option, OutputMargin, InitGain, CriticInitGain, BalancedInit, InterpolatingInit, SkipInitGain, MinibatchStd,
                     Batch, LrD, LrG, MappingFactor, Beta1, Beta2, Epsilon, GpWeight, Clip, CriticSteps, LossPerBatch, LossScalers.Option, Batches.Option, AverageDecay, LrDecay, FractionPenalty })
            c.Options.Add(o);
    }

    /// <summary>The option's value where the command has it, else <paramref name="fallback"/> (the library's default).</summary>
    private static T Value<T>(ParseResult p, Option<T> option, T fallback) => Has(p, option) ? p.GetValue(option)! : fallback;

    /// <inheritdoc cref="Value{T}(ParseResult, Option{T}, T)"/>
    private static T Value<T>(ParseResult p, ChoiceOption<T> option, T fallback) where T : struct, Enum => Has(p, option.Option) ? option.Get(p) : fallback;

    private static bool Has(ParseResult p, Option option) => p.CommandResult.Command.Options.Contains(option);

    public GanConfig Config(ParseResult p) => new GanConfig
    {
        Size = Value(p, Size, GanDefaults.Size),
        Ngf = Value(p, Ngf, GanDefaults.Ngf),
        Ndf = Value(p, Ndf, GanDefaults.Ndf),
        Topology = Value(p, Topology, GanDefaults.Topology),
        CriticSlope = Value(p, CriticSlope, GanDefaults.CriticSlope),
        TransposedConvolution = Value(p, TransposedConvolution, GanDefaults.TransposedConvolution),
        OutputMargin = Value(p, OutputMargin, GanDefaults.OutputMargin),
        InitGain = Value(p, InitGain, GanDefaults.InitGain),
        CriticInitGain = Value(p, CriticInitGain, GanDefaults.CriticInitGain),
        BalancedInit = Value(p, BalancedInit, GanDefaults.BalancedInit),
        InterpolatingInit = Value(p, InterpolatingInit, GanDefaults.InterpolatingInit),
        SkipInitGain = Value(p, SkipInitGain, GanDefaults.SkipInitGain),
        Upsampling = Value(p, Upsampling, GanDefaults.Upsampling),
        MinibatchStdGroup = Value(p, MinibatchStd, GanDefaults.MinibatchStdGroup),
    }.Validate();

    public TrainOptions Train(ParseResult p) => new TrainOptions
    {
        Iterations = Value(p, Iterations, TrainDefaults.Iterations),
        BatchSize = Value(p, Batch, TrainDefaults.BatchSize),
        LearningRateCritic = Value(p, LrD, TrainDefaults.LearningRateCritic),
        LearningRateGenerator = Value(p, LrG, TrainDefaults.LearningRateGenerator),
        MappingLearningRateFactor = Value(p, MappingFactor, TrainDefaults.MappingLearningRateFactor),
        Beta1 = Value(p, Beta1, TrainDefaults.Beta1),
        Beta2 = Value(p, Beta2, TrainDefaults.Beta2),
        Epsilon = Value(p, Epsilon, TrainDefaults.Epsilon),
        GradientPenaltyWeight = Value(p, GpWeight, TrainDefaults.GradientPenaltyWeight),
        ClipNorm = Value(p, Clip, TrainDefaults.ClipNorm),
        CriticSteps = Value(p, CriticSteps, TrainDefaults.CriticSteps),
        Precision = Has(p, Precision) ? PrecisionExtensions.ParsePrecision(p.GetValue(Precision)!) : TrainDefaults.Precision,
        Seed = Value(p, Seed, TrainDefaults.Seed),
        SampleEvery = Value(p, SampleEvery, TrainDefaults.SampleEvery),
        CheckpointEvery = Value(p, CheckpointEvery, TrainDefaults.CheckpointEvery),
        LossDividedByBatch = Value(p, LossPerBatch, TrainDefaults.LossDividedByBatch),
        LossScalers = Value(p, LossScalers, TrainDefaults.LossScalers),
        Batches = Value(p, Batches, TrainDefaults.Batches),
        AverageDecay = Value(p, AverageDecay, TrainDefaults.AverageDecay),
        LearningRateDecay = Value(p, LrDecay, TrainDefaults.LearningRateDecay),
        FractionPenalty = Value(p, FractionPenalty, TrainDefaults.FractionPenalty),
    }.Validate();
}
