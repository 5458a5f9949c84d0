using System.Numerics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

/// <summary>Scalars of one Nadam step in float64 (see <see cref="NadamKernels.Update{T}"/>).</summary>
public readonly record struct NadamCoefficients(
    double GradScale, double Beta1, double Beta2, double BiasCorrection2, double Epsilon,
    double GradCoefficient, double MomentumCoefficient)
{
    /// <summary>The coefficients rounded to the element type of the update.</summary>
    internal NadamStep<T> Round<T>() where T : unmanaged, IFloatingPointIeee754<T> => new()
    {
        GradScale = T.CreateChecked(GradScale),
        Beta1 = T.CreateChecked(Beta1), OneMinusBeta1 = T.CreateChecked(1 - Beta1),
        Beta2 = T.CreateChecked(Beta2), OneMinusBeta2 = T.CreateChecked(1 - Beta2),
        BiasCorrection2 = T.CreateChecked(BiasCorrection2),
        Epsilon = T.CreateChecked(Epsilon),
        GradCoefficient = T.CreateChecked(GradCoefficient),
        MomentumCoefficient = T.CreateChecked(MomentumCoefficient),
    };
}

public static partial class Ops
{
    /// <summary>
    /// One Nadam step in place on <paramref name="theta"/> and its moments <paramref name="m"/>,
    /// <paramref name="v"/> (all the same shape and dtype as <paramref name="grad"/>).
    /// </summary>
    public static void NadamUpdate(Tensor theta, Tensor grad, Tensor m, Tensor v, NadamCoefficients c)
    {
        foreach (var t in new[] { grad, m, v })
        {
            RequireCompatible(theta, t, nameof(NadamUpdate));
            Shape.CheckSame(theta.Shape, t.Shape, nameof(NadamUpdate));
        }
        if (theta.Numel > 0) theta.Device.Backend.NadamUpdate(theta, grad, m, v, c);
    }
}
