using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>The scalars of one Nadam step: the moment coefficients rounded to T, the gradient scale and clipping in float64.</summary>
public struct NadamStep<T> where T : unmanaged
{
#pragma warning disable CS1591
    public double GradScale;     // multiplies the raw gradient: 1 / loss scale, negated for an ascending step
    public double ClipNorm;      // the global norm of GradScale * grad is clipped to this (0: no clipping)
    public int Own;              // the gate entry holding this optimizer's own sum of squares
    public T Beta1, OneMinusBeta1;
    public T Beta2, OneMinusBeta2;
    public T BiasCorrection2;    // 1 - beta2^t
    public T Epsilon;
    public T GradCoefficient;     // -lr (1 - mu_t) / (1 - prod_{i<=t} mu_i)
    public T MomentumCoefficient; // -lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i)
#pragma warning restore CS1591
}

/// <summary>
/// The Nadam update (Dozat 2016; Keras' Nadam and PyTorch's NAdam with momentum decay), in place, with the
/// optimizer's decisions taken on the device: the clip factor comes from a sum of squares that an earlier
/// launch left in device memory, and a step whose gradients are not finite is skipped there, so that no
/// value has to travel to the host and back between the backward pass and the update.
/// </summary>
public static class NadamKernels
{
    /// <summary>
    /// The factor that multiplies the raw gradient, or NaN when the step must be skipped:
    /// with total = sum of the gate's entries (the sums of squares of every optimizer whose overflow skips this
    /// step) and norm = |gradScale| sqrt(own): NaN if total is not finite, else
    /// <c>gradScale * (clip &gt; 0 ? clip / max(norm, clip) : 1)</c> (TensorFlow's <c>clip_by_global_norm</c>).
    /// </summary>
    public static double GradientFactor(double total, double own, double gradScale, double clipNorm)
    {
        if (double.IsNaN(total) || double.IsInfinity(total)) return double.NaN;
        double norm = Math.Abs(gradScale) * Math.Sqrt(own);
        return clipNorm > 0 && norm > clipNorm ? gradScale * (clipNorm / norm) : gradScale;
    }

    /// <summary>
    /// For every element i (one flat buffer or one parameter tensor), with
    /// <c>f = GradientFactor(sum(gate), gate[Own], GradScale, ClipNorm)</c> (nothing happens when f is NaN) and g = f * grad:
    /// <c>m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  d = sqrt(v / (1 - beta2^t)) + eps;
    /// theta += GradCoefficient g / d + MomentumCoefficient m / d</c>. The gate has a handful of entries, so every
    /// thread sums it itself rather than waiting for another launch.
    /// </summary>
    public static void Update<T, TConv>(Index1D thread, int threads, ArrayView<T> theta, ArrayView<T> grad, ArrayView<T> m, ArrayView<T> v,
        ArrayView<double> gate, NadamStep<T> s)
        where T : unmanaged, IFloatingPointIeee754<T> where TConv : struct, IConvert<double, T>
    {
        double total = 0;
        for (int j = 0; j < gate.IntLength; j++) total += gate[j];
        double factor = GradientFactor(total, gate[s.Own], s.GradScale, s.ClipNorm);
        if (double.IsNaN(factor)) return;
        T scale = default(TConv).Convert(factor);
        for (int i = thread; i < theta.IntLength; i += threads)
        {
            T g = grad[i] * scale;
            T mi = s.Beta1 * m[i] + s.OneMinusBeta1 * g;
            T vi = s.Beta2 * v[i] + s.OneMinusBeta2 * g * g;
            T d = T.Sqrt(vi / s.BiasCorrection2) + s.Epsilon;
            theta[i] = theta[i] + s.GradCoefficient * g / d + s.MomentumCoefficient * mi / d;
            m[i] = mi;
            v[i] = vi;
        }
    }
}
