using VoxelGan.Autograd;
using VoxelGan.Tensors;
using F = VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Models;

/// <summary>
/// The minibatch standard deviation of ProGAN (Karras et al. 2018, section 3), appended to the critic's last block as
/// one more channel. For every group of G consecutive samples and every feature f (channel and voxel) of x [B, C, d, h, w]:
/// sigma_f = sqrt(mean_i (x_if - mean_i x_if)^2 + 1e-8) over the group's samples i; s = mean_f sigma_f; the group's samples
/// get s in every voxel of the new channel. A critic that sees single volumes can score each against the data, but not
/// how the generated set varies: a generator whose volumes' phase fractions spread ten times wider than the data's is
/// not penalized by a critic that is nearly linear in the fraction. With s it compares the spread too. Samples of
/// different groups do not interact, so real and generated volumes in one critic batch stay apart when each half is a
/// whole number of groups.
/// </summary>
public static class MinibatchStd
{
    /// <summary>x [B, C, ...] -> [B, C + 1, ...] with the group statistic as the last channel; B must be a multiple of <paramref name="group"/>.</summary>
    public static Var Append(Var x, int group)
    {
        int b = x.Shape[0];
        if (group < 1 || b % group != 0)
            throw new ShapeException($"minibatch standard deviation: a batch of {b} does not split into groups of {group} (--minibatch-std)");
        int groups = b / group, features = x.Shape.Numel / Math.Max(1, b);
        var grouped = F.Reshape(x, groups, group, features);
        var centred = grouped - F.Mean(grouped, 1, keepDim: true);
        var sigma = F.Sqrt(F.Mean(F.Square(centred), 1) + 1e-8);
        var s = F.Mean(sigma, 1, keepDim: true);
        int[] spatial = [.. x.Shape.ToArray()[2..]];
        int voxels = spatial.Aggregate(1, (p, q) => p * q);
        var channel = F.BroadcastTo(F.Reshape(s, groups, 1, 1), new Shape(groups, group, voxels));
        return F.Concat([x, F.Reshape(channel, [b, 1, .. spatial])], 1);
    }
}
