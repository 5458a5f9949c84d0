using System.CommandLine;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;

namespace VoxelGan.Cli;

/// <summary>The architecture and training options, defined once for <c>model</c>, <c>train</c> and <c>demo</c>; defaults are the paper's.</summary>
internal sealed class GanOptions
{
    public readonly Option<int> Size = new("--size") { Description = "volume edge (a power of two: 32 or 64 in the paper)", DefaultValueFactory = _ => 32 };
    public readonly Option<int> Ngf = new("--ngf") { Description = "generator filters of the last block (nGf)", DefaultValueFactory = _ => 32 };
    public readonly Option<int> Ndf = new("--ndf") { Description = "critic filters of the first block (nDf)", DefaultValueFactory = _ => 16 };
    public readonly Option<string> Topology = new("--critic-topology") { Description = "growing (S, 2S, 4S, ...) or constant", DefaultValueFactory = _ => "growing" };
    public readonly Option<double> CriticSlope = new("--critic-slope") { Description = "critic LeakyReLU slope (code 0.3, paper text 0.2)", DefaultValueFactory = _ => 0.3 };

    public readonly Option<long> Iterations = new("--iterations") { Description = "training iterations", DefaultValueFactory = _ => 20_000 };
    public readonly Option<int> Batch = new("--batch-size") { Description = "volumes per batch", DefaultValueFactory = _ => 8 };
    public readonly Option<double> LrD = new("--lr-d") { Description = "critic learning rate", DefaultValueFactory = _ => 1e-4 };
    public readonly Option<double> LrG = new("--lr-g") { Description = "generator learning rate", DefaultValueFactory = _ => 5e-5 };
    public readonly Option<double> MappingFactor = new("--mapping-lr-factor") { Description = "mapping network lr as a fraction of lr_G (code 0.01, paper text 0.1)", DefaultValueFactory = _ => 0.01 };
    public readonly Option<double> Beta1 = new("--beta1") { Description = "Nadam beta1", DefaultValueFactory = _ => 0.9 };
    public readonly Option<double> Beta2 = new("--beta2") { Description = "Nadam beta2", DefaultValueFactory = _ => 0.999 };
    public readonly Option<double> Epsilon = new("--epsilon") { Description = "Nadam epsilon", DefaultValueFactory = _ => 1e-7 };
    public readonly Option<double> GpWeight = new("--gp-weight") { Description = "gradient penalty weight lambda", DefaultValueFactory = _ => 10 };
    public readonly Option<double> Clip = new("--clip-norm") { Description = "global-norm gradient clipping per optimizer (0 disables)", DefaultValueFactory = _ => 1.0 };
    public readonly Option<int> CriticSteps = new("--critic-steps") { Description = "critic updates per generator update (1: the code's joint update)", DefaultValueFactory = _ => 1 };
    public readonly Option<string> Precision = new("--precision") { Description = "mixed (fp16 activations, loss scaling; the code's default) or fp32", DefaultValueFactory = _ => "mixed" };
    public readonly Option<ulong> Seed = new("--seed") { Description = "seed of weights, batches and latents", DefaultValueFactory = _ => 0 };
    public readonly Option<long> SampleEvery = new("--sample-every") { Description = "PNG of generated centre slices every K iterations (0: never)", DefaultValueFactory = _ => 500 };
    public readonly Option<long> CheckpointEvery = new("--checkpoint-every") { Description = "numbered checkpoint every K iterations", DefaultValueFactory = _ => 1000 };

    public void AddArchitecture(Command c)
    {
        foreach (var o in new Option[] { Size, Ngf, Ndf, Topology, CriticSlope }) c.Options.Add(o);
    }

    public void AddTraining(Command c)
    {
        foreach (var o in new Option[] { Iterations, Batch, LrD, LrG, MappingFactor, Beta1, Beta2, Epsilon, GpWeight, Clip, CriticSteps, Precision, Seed, SampleEvery, CheckpointEvery })
            c.Options.Add(o);
    }

    public GanConfig Config(ParseResult p) => new GanConfig
    {
        Size = p.GetValue(Size),
        Ngf = p.GetValue(Ngf),
        Ndf = p.GetValue(Ndf),
        Topology = p.GetValue(Topology) switch
        {
            "growing" => CriticTopology.Growing,
            "constant" => CriticTopology.Constant,
            var t => throw new ArgumentException($"--critic-topology must be growing or constant, got '{t}'"),
        },
        CriticSlope = p.GetValue(CriticSlope),
    }.Validate();

    public TrainOptions Train(ParseResult p) => new TrainOptions
    {
        Iterations = p.GetValue(Iterations),
        BatchSize = p.GetValue(Batch),
        LearningRateCritic = p.GetValue(LrD),
        LearningRateGenerator = p.GetValue(LrG),
        MappingLearningRateFactor = p.GetValue(MappingFactor),
        Beta1 = p.GetValue(Beta1),
        Beta2 = p.GetValue(Beta2),
        Epsilon = p.GetValue(Epsilon),
        GradientPenaltyWeight = p.GetValue(GpWeight),
        ClipNorm = p.GetValue(Clip),
        CriticSteps = p.GetValue(CriticSteps),
        Precision = PrecisionExtensions.ParsePrecision(p.GetValue(Precision)!),
        Seed = p.GetValue(Seed),
        SampleEvery = p.GetValue(SampleEvery),
        CheckpointEvery = p.GetValue(CheckpointEvery),
    }.Validate();
}
