using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;

namespace VoxelGan.Gan.Demo;

/// <summary>The demo's settings: a small model on generated sphere packings, sized for a CPU.</summary>
/// <param name="Folder">Demo folder (emptied first: a demo always starts afresh).</param>
/// <param name="Iterations">Training iterations.</param>
/// <param name="Size">Volume edge (16 keeps the demo short on a CPU; the paper uses 32).</param>
/// <param name="Precision">fp32 (no speed gain from fp16 on a CPU) or mixed.</param>
public sealed record DemoOptions(string Folder, long Iterations = 400, int Size = 16, Precision Precision = Precision.Fp32)
{
    /// <summary>Generated volumes, and training volumes kept as the evaluation baseline.</summary>
    public const int VolumeCount = 16;

    /// <summary>Volumes per set homogenized for C11.</summary>
    public const int HomogenizeCount = 4;

    /// <summary>The paper's architecture with nGf 8, nDf 4.</summary>
    public GanConfig Model => new GanConfig { Size = Size, Ngf = 8, Ndf = 4 }.Validate();

    /// <summary>
    /// Five times the paper's learning rates (a few hundred iterations at the paper's rates barely move
    /// the weights), batch 8, samples every 100 and checkpoints every 200 iterations, seed 1.
    /// </summary>
    public TrainOptions Training => new TrainOptions
    {
        Iterations = Iterations, BatchSize = 8, LearningRateCritic = 5e-4, LearningRateGenerator = 2.5e-4,
        Precision = Precision, SampleEvery = 100, CheckpointEvery = 200, Seed = 1,
    }.Validate();

    /// <summary>64 periodic sphere packings generated in memory (seed 1).</summary>
    public DataSpec Data => new("spheres", 64, 1);
}
