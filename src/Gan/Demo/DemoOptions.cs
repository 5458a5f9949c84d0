using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;

namespace VoxelGan.Gan.Demo;

/// <summary>The demo's settings: a small model on generated sphere packings, sized for a CPU.</summary>
/// <param name="Folder">Demo folder (emptied first: a demo always starts afresh).</param>
/// <param name="Iterations">Training iterations.</param>
/// <param name="Size">Volume edge (16 keeps the demo short on a CPU; the paper uses 32).</param>
/// <param name="Precision">fp32 (no speed gain from fp16 on a CPU) or mixed.</param>
public sealed record DemoOptions(string Folder, long Iterations = 9000, int Size = 16, Precision Precision = Precision.Fp32)
{
    /// <summary>
    /// Generated volumes, and training volumes kept as the evaluation baseline (all 64). E_p1 and E_p2 are means over the
    /// generated volumes: over 16 their value moved by up to 0.05 from one draw of latents to another (docs/RECIPE.md,
    /// fifth session), over 64 by half as much, at a few seconds' cost.
    /// </summary>
    public const int VolumeCount = 64;

    /// <summary>Volumes per set homogenized for C11.</summary>
    public const int HomogenizeCount = 4;

    /// <summary>
    /// The orthogonal initialization's gain: at the authors' gain 1 the latent's signal fades through the mapping network
    /// and the upsampling blocks (the output varies across latents by about 0.002 against 1 in the data) and every short
    /// run collapses to one output; at 2.5 the generated volumes start about as different from one another as the
    /// training volumes are (docs/RECIPE.md).
    /// </summary>
    public const double InitGain = 2.5;

    /// <summary>
    /// The generator's learning rate: twice the paper's. The errors fall about twice as fast and the run stays diverse
    /// (docs/RECIPE.md, J1, found with the interpolating start that resize-convolution replaced).
    /// </summary>
    public const double LearningRateGenerator = 1e-4;

    /// <summary>
    /// The group size of the critic's minibatch standard-deviation channel: the critic then sees how the volumes of a
    /// group vary, and the generated volumes' phase fractions, which spread over ten times wider than the data's, come
    /// closer to the data's nearly constant fraction (E_p1 0.09 instead of 0.14 and E_p2 0.14 instead of 0.20 on average
    /// over three seeds; docs/RECIPE.md, D1).
    /// </summary>
    public const int MinibatchStdGroup = 4;

    /// <summary>
    /// The critic's learning rate: four times the paper's. With the minibatch statistic twice the paper's lowered both
    /// errors (means of three seeds E_p1 0.078, E_p2 0.124; without the statistic it does not help; docs/RECIPE.md, E2
    /// and C1); four times lowered them again on two of three seeds and kept the third close (means of seeds 1-3 at their
    /// last checkpoints: E_p1 0.098, E_p2 0.152 against 0.122 and 0.179, diversity ratio 0.80-0.84 against 0.74-0.79;
    /// docs/RECIPE.md, F3).
    /// </summary>
    public const double LearningRateCritic = 4e-4;

    /// <summary>
    /// The weight of the fraction penalty (<see cref="TrainOptions.FractionPenalty"/>): it narrows the spread of the generated
    /// volumes' phase fractions, which E_p1 measures, without making them alike at this weight (with resize-convolution
    /// over seeds 1-5: E_p1 0.044-0.058 and E_p2 0.101-0.115, against 0.059-0.079 and 0.108-0.133 without over seeds 1-4,
    /// diversity ratio 0.93-0.96; weights 1-10 cost diversity; docs/RECIPE.md, fifth to seventh sessions).
    /// </summary>
    public const double FractionPenalty = 0.3;

    /// <summary>
    /// The paper's architecture with nGf 8, nDf 4, <see cref="InitGain"/>, resize-convolution in the generator
    /// (<see cref="GeneratorUpsampling.Resize"/>) and <see cref="MinibatchStdGroup"/>: the stride-2 transposed convolutions'
    /// output phases print a pattern of period 8 at fixed positions (position template 0.13-0.16 on four seeds), nearest
    /// upsampling followed by a stride-1 convolution does not (0.08-0.11), and lowers both errors on every seed
    /// (docs/RECIPE.md, sixth session).
    /// </summary>
    public GanConfig Model => new GanConfig { Size = Size, Ngf = 8, Ndf = 4, InitGain = InitGain, Upsampling = GeneratorUpsampling.Resize, MinibatchStdGroup = MinibatchStdGroup }.Validate();

    /// <summary>
    /// The defaults of <c>train</c> (the authors' joint update, batch 8) with <see cref="LearningRateCritic"/>,
    /// <see cref="LearningRateGenerator"/> and <see cref="FractionPenalty"/>, samples every Iterations / 8 and checkpoints
    /// every Iterations / 4 iterations, seed 1.
    /// </summary>
    public TrainOptions Training => new TrainOptions
    {
        Iterations = Iterations, BatchSize = 8, Precision = Precision, LearningRateCritic = LearningRateCritic, LearningRateGenerator = LearningRateGenerator,
        FractionPenalty = FractionPenalty, SampleEvery = Math.Max(1, Iterations / 8), CheckpointEvery = Math.Max(1, Iterations / 4), Seed = 1,
    }.Validate();

    /// <summary>64 periodic, non-overlapping sphere packings generated in memory (seed 1).</summary>
    public DataSpec Data => new("spheres", 64, 1, SphereStyle.Periodic);
}
