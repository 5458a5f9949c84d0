using VoxelGan.Autograd;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Training;

/// <summary>The phase-fraction term of <see cref="TrainOptions.FractionPenalty"/>, without its weight.</summary>
public static class FractionPenalty
{
    /// <summary>
    /// fake [B, ...] in standardized units -> mean_i z_i^2, z_i = sqrt(V) mean_v fake_iv over the V voxels of volume i: 0 when
    /// every volume has the training set's mean (its phase fraction), about 1 per volume whose voxels vary independently
    /// around it.
    /// </summary>
    public static Var Of(Var fake)
    {
        int b = fake.Shape[0], voxels = fake.Shape.Numel / Math.Max(1, b);
        var z = Mean(Reshape(fake, b, voxels), 1) * Math.Sqrt(voxels);
        return Mean(Square(z));
    }
}
