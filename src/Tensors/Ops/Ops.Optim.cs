using System.Numerics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

/// <summary>Scalars of one Nadam step in float64 (see <see cref="NadamKernels.Update{T}"/>).</summary>
public readonly record struct NadamCoefficients(
    double GradScale, double Beta1, double Beta2, double BiasCorrection2, double Epsilon,
    double GradCoefficient, double MomentumCoefficient);

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
        if (theta.DType == DType.Float32) NadamKernels.Run(theta.Device, theta.View<float>(), grad.View<float>(), m.View<float>(), v.View<float>(), Round<float>(c));
        else NadamKernels.Run(theta.Device, theta.View<double>(), grad.View<double>(), m.View<double>(), v.View<double>(), Round<double>(c));
    }

    private static NadamStep<T> Round<T>(NadamCoefficients c) where T : unmanaged, IFloatingPointIeee754<T> => new()
    {
        GradScale = T.CreateChecked(c.GradScale),
        Beta1 = T.CreateChecked(c.Beta1), OneMinusBeta1 = T.CreateChecked(1 - c.Beta1),
        Beta2 = T.CreateChecked(c.Beta2), OneMinusBeta2 = T.CreateChecked(1 - c.Beta2),
        BiasCorrection2 = T.CreateChecked(c.BiasCorrection2),
        Epsilon = T.CreateChecked(c.Epsilon),
        GradCoefficient = T.CreateChecked(c.GradCoefficient),
        MomentumCoefficient = T.CreateChecked(c.MomentumCoefficient),
    };
}
