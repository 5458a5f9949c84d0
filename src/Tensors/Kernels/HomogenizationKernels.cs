using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Grid and reference medium of the Green operator. The wave numbers come from a table
/// <c>xi = [xi_D (D values), xi_H (H), xi_W (W)]</c>, xi_n[k] = 2 pi k' / n with k' = k for k &lt;= n/2 and
/// k - n above (unit voxels), computed on the host in float64; symmetric tensors are stored as six
/// tensorial components in the order 11, 22, 33, 23, 13, 12, component-major: [6, D, H, W].
/// </summary>
public struct GreenGrid<T> where T : unmanaged
{
#pragma warning disable CS1591
    public int D, H, W;
    public T Lambda0, Mu0;
#pragma warning restore CS1591
}

/// <summary>Pointwise kernels of the FFT homogenization schemes (Moulinec and Suquet 1998; Zeman et al. 2010).</summary>
public static class HomogenizationKernels
{
    /// <summary>
    /// Isotropic Hooke's law per voxel v: <c>sigma = lambda(v) tr(eps) I + 2 mu(v) eps</c>, with eps and
    /// sigma as [6, N] tensorial components (11, 22, 33, 23, 13, 12).
    /// </summary>
    public static void Stress<T>(Index1D thread, int threads, ArrayView<T> eps, ArrayView<T> lambda, ArrayView<T> mu, ArrayView<T> sigma)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = lambda.IntLength;
        for (int v = thread; v < n; v += threads)
        {
            T twoMu = mu[v] + mu[v];
            T lt = lambda[v] * (eps[v] + eps[n + v] + eps[2 * n + v]);
            for (int c = 0; c < 6; c++) sigma[c * n + v] = (c < 3 ? lt : T.Zero) + twoMu * eps[c * n + v];
        }
    }

    /// <summary>
    /// Applies minus the Green operator of the reference medium (lambda0, mu0) to a polarisation
    /// spectrum, per frequency xi != 0: with a_k = tau_kj xi_j,
    /// <c>out_kh = -[(xi_h a_k + xi_k a_h) / (2 mu0 |xi|^2) - (lambda0 + mu0) / (mu0 (lambda0 + 2 mu0)) xi_k xi_h (xi . a) / |xi|^4]</c>;
    /// out = 0 at xi = 0 (the mean is imposed separately). tau and out are [6, D, H, W, 2] (complex).
    /// </summary>
    public static void Green<T>(Index1D thread, int threads, ArrayView<T> tau, ArrayView<T> result, ArrayView<T> xi, GreenGrid<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = g.D * g.H * g.W;
        T two = T.One + T.One;
        for (int f = thread; f < n; f += threads)
        {
            int kw = f % g.W, kh = f / g.W % g.H, kd = f / (g.W * g.H);
            T x0 = xi[kd], x1 = xi[g.D + kh], x2 = xi[g.D + g.H + kw];
            T q = x0 * x0 + x1 * x1 + x2 * x2;
            for (int part = 0; part < 2; part++) // real and imaginary parts are independent (the operator is real)
            {
                T t11 = tau[2 * f + part], t22 = tau[2 * (n + f) + part], t33 = tau[2 * (2 * n + f) + part];
                T t23 = tau[2 * (3 * n + f) + part], t13 = tau[2 * (4 * n + f) + part], t12 = tau[2 * (5 * n + f) + part];
                T a0 = t11 * x0 + t12 * x1 + t13 * x2, a1 = t12 * x0 + t22 * x1 + t23 * x2, a2 = t13 * x0 + t23 * x1 + t33 * x2;
                T xa = x0 * a0 + x1 * a1 + x2 * a2;
                T s = q == T.Zero ? T.Zero : T.One / (two * g.Mu0 * q);
                T c = q == T.Zero ? T.Zero : (g.Lambda0 + g.Mu0) / (g.Mu0 * (g.Lambda0 + two * g.Mu0)) * xa / (q * q);
                result[2 * f + part] = -(two * x0 * a0 * s - c * x0 * x0);
                result[2 * (n + f) + part] = -(two * x1 * a1 * s - c * x1 * x1);
                result[2 * (2 * n + f) + part] = -(two * x2 * a2 * s - c * x2 * x2);
                result[2 * (3 * n + f) + part] = -((x2 * a1 + x1 * a2) * s - c * x1 * x2);
                result[2 * (4 * n + f) + part] = -((x2 * a0 + x0 * a2) * s - c * x0 * x2);
                result[2 * (5 * n + f) + part] = -((x1 * a0 + x0 * a1) * s - c * x0 * x1);
            }
        }
    }

    /// <summary>
    /// The squared equilibrium residual per frequency, <c>|xi . sigma_hat(xi)|^2 = sum_k |sum_j xi_j sigma_hat_kj|^2</c>,
    /// 0 at xi = 0 and on the Nyquist planes of even extents (their modes have no well-defined derivative).
    /// </summary>
    public static void Equilibrium<T>(Index1D thread, int threads, ArrayView<T> sigma, ArrayView<T> residual, ArrayView<T> xi, GreenGrid<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = g.D * g.H * g.W;
        for (int f = thread; f < n; f += threads)
        {
            int kw = f % g.W, kh = f / g.W % g.H, kd = f / (g.W * g.H);
            bool nyquist = (g.D % 2 == 0 && kd == g.D / 2) || (g.H % 2 == 0 && kh == g.H / 2) || (g.W % 2 == 0 && kw == g.W / 2);
            T x0 = xi[kd], x1 = xi[g.D + kh], x2 = xi[g.D + g.H + kw];
            T total = T.Zero;
            for (int part = 0; part < 2; part++)
            {
                T s11 = sigma[2 * f + part], s22 = sigma[2 * (n + f) + part], s33 = sigma[2 * (2 * n + f) + part];
                T s23 = sigma[2 * (3 * n + f) + part], s13 = sigma[2 * (4 * n + f) + part], s12 = sigma[2 * (5 * n + f) + part];
                T r0 = s11 * x0 + s12 * x1 + s13 * x2, r1 = s12 * x0 + s22 * x1 + s23 * x2, r2 = s13 * x0 + s23 * x1 + s33 * x2;
                total += r0 * r0 + r1 * r1 + r2 * r2;
            }
            residual[f] = f == 0 || nyquist ? T.Zero : total;
        }
    }
}
