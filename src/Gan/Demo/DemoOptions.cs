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
public sealed record DemoOptions(string Folder, long Iterations = 2000, int Size = 16, Precision Precision = Precision.Fp32)
{
    /// <summary>Generated volumes, and training volumes kept as the evaluation baseline.</summary>
    public const int VolumeCount = 16;

    /// <summary>Volumes per set homogenized for C11.</summary>
    public const int HomogenizeCount = 4;

    /// <summary>
    /// The orthogonal initialization's gain: the recipe that learns in a short run (docs/RECIPE.md). At the
    /// authors' gain 1 the latent's signal fades through the mapping network and the upsampling blocks
    /// (the output varies across latents by about 0.002 against 1 in the data) and every short run collapses
    /// to one output; at gain 2.5 the generated volumes start about as different from one another as the
    /// training volumes are, and after the demo's 2000 iterations (seed 1) still vary half as much per voxel;
    /// other seeds end lower and longer runs lose more of it (docs/RECIPE.md).
    /// </summary>
    public const double InitGain = 2.5;

    /// <summary>The paper's architecture with nGf 8, nDf 4 and <see cref="InitGain"/>.</summary>
    public GanConfig Model => new GanConfig { Size = Size, Ngf = 8, Ndf = 4, InitGain = InitGain }.Validate();

    /// <summary>
    /// The defaults of <c>train</c> (the paper's learning rates, the authors' joint update, batch 8),
    /// samples every 500 and checkpoints every 1000 iterations, seed 1.
    /// </summary>
    public TrainOptions Training => new TrainOptions
    {
        Iterations = Iterations, BatchSize = 8, Precision = Precision, SampleEvery = Math.Max(1, Iterations / 8), CheckpointEvery = Math.Max(1, Iterations / 4), Seed = 1,
    }.Validate();

    /// <summary>64 periodic, non-overlapping sphere packings generated in memory (seed 1).</summary>
    public DataSpec Data => new("spheres", 64, 1, SphereStyle.Periodic);
}
