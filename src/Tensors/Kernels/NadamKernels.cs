using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>The scalars of one Nadam step, computed on the host in float64 and rounded to T.</summary>
public struct NadamStep<T> where T : unmanaged
{
#pragma warning disable CS1591
    public T GradScale;          // multiplies the raw gradient (loss-scale unscaling times clipping)
    public T Beta1, OneMinusBeta1;
    public T Beta2, OneMinusBeta2;
    public T BiasCorrection2;    // 1 - beta2^t
    public T Epsilon;
    public T GradCoefficient;     // -lr (1 - mu_t) / (1 - prod_{i<=t} mu_i)
    public T MomentumCoefficient; // -lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i)
#pragma warning restore CS1591
}

/// <summary>The Nadam update (Dozat 2016; Keras' Nadam and PyTorch's NAdam with momentum decay), in place.</summary>
public static class NadamKernels
{
    /// <summary>
    /// For every element, with g = GradScale * grad:
    /// <c>m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  d = sqrt(v / (1 - beta2^t)) + eps;
    /// theta += GradCoefficient g / d + MomentumCoefficient m / d</c>.
    /// </summary>
    public static void Update<T>(Index1D thread, int threads, ArrayView<T> theta, ArrayView<T> grad, ArrayView<T> m, ArrayView<T> v, NadamStep<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = thread; i < theta.IntLength; i += threads)
        {
            T g = grad[i] * s.GradScale;
            T mi = s.Beta1 * m[i] + s.OneMinusBeta1 * g;
            T vi = s.Beta2 * v[i] + s.OneMinusBeta2 * g * g;
            T d = T.Sqrt(vi / s.BiasCorrection2) + s.Epsilon;
            theta[i] = theta[i] + s.GradCoefficient * g / d + s.MomentumCoefficient * mi / d;
            m[i] = mi;
            v[i] = vi;
        }
    }
}
