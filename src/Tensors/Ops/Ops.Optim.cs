using System.Numerics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

/// <summary>
/// Scalars of one Nadam step in float64 (see <see cref="NadamKernels.Update{T, TConv}"/>): <paramref name="GradScale"/>
/// multiplies the raw gradient before clipping (1 / loss scale; negative to ascend), <paramref name="ClipNorm"/> bounds
/// the global norm of the scaled gradients (0: no clipping).
/// </summary>
public readonly record struct NadamCoefficients(
    double GradScale, double Beta1, double Beta2, double BiasCorrection2, double Epsilon,
    double GradCoefficient, double MomentumCoefficient, double ClipNorm = 0)
{
    /// <summary>The coefficients rounded to the element type of the update.</summary>
    internal NadamStep<T> Round<T>(int own) where T : unmanaged, IFloatingPointIeee754<T> => new()
    {
        GradScale = GradScale, ClipNorm = ClipNorm, Own = own,
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
    /// One Nadam step in place on <paramref name="theta"/> and its moments <paramref name="m"/>, <paramref name="v"/>
    /// (all the same shape and dtype as <paramref name="grad"/>), gated on the device: <paramref name="gate"/> is a
    /// float64 vector of sums of squares of raw gradients (<see cref="SumOfSquares"/>), entry <paramref name="own"/>
    /// being this optimizer's. The step is skipped when any entry is not finite, and clipped with entry
    /// <paramref name="own"/>'s norm (<see cref="NadamKernels.GradientFactor"/>). Nothing is read to the host.
    /// </summary>
    public static void NadamUpdate(Tensor theta, Tensor grad, Tensor m, Tensor v, NadamCoefficients c, Tensor gate, int own = 0)
    {
        foreach (var t in new[] { grad, m, v })
        {
            RequireCompatible(theta, t, nameof(NadamUpdate));
            Shape.CheckSame(theta.Shape, t.Shape, nameof(NadamUpdate));
        }
        if (gate.DType != DType.Float64 || gate.Rank > 1 || !ReferenceEquals(gate.Device, theta.Device))
            throw new ArgumentException($"NadamUpdate: the gate must be a float64 scalar or vector on {theta.Device}, got {gate}");
        if (own < 0 || own >= gate.Numel)
            throw new ArgumentOutOfRangeException(nameof(own), own, $"NadamUpdate: entry {own} of a gate of {gate.Numel}");
        if (theta.Numel > 0) theta.Device.Backend.NadamUpdate(theta, grad, m, v, c, gate, own);
    }

    /// <summary>sum(x^2) in float64 (x is cast first, so a large finite float32 value does not overflow), as a rank-0 tensor.</summary>
    public static Tensor SumOfSquares(Tensor x)
    {
        using var scope = TensorScope.Begin();
        var wide = x.DType == DType.Float64 ? x : Cast(x, DType.Float64);
        return Sum(Square(wide)).MoveToOuter();
    }
}
