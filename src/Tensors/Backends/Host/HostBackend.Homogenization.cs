using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal sealed unsafe partial class HostBackend
{
    /// <summary><see cref="HomogenizationKernels.Stress{T}"/> in vector lanes over voxels.</summary>
    public void HookeStress(Tensor eps, Tensor lambda, Tensor mu, Tensor sigma)
    {
        double* e = eps.Data<double>(), l = lambda.Data<double>(), m = mu.Data<double>(), s = sigma.Data<double>();
        int n = lambda.Numel;
        HostParallel.For(n, ElementGrain / 8, (v0, v1) =>
        {
            long v = v0;
            for (; v + Vector512<double>.Count <= v1; v += Vector512<double>.Count)
            {
                var mv = Vector512.Load(m + v);
                var twoMu = mv + mv;
                var lt = Vector512.Load(l + v) * (Vector512.Load(e + v) + Vector512.Load(e + n + v) + Vector512.Load(e + 2L * n + v));
                for (int c = 0; c < 6; c++)
                    ((c < 3 ? lt : Vector512<double>.Zero) + twoMu * Vector512.Load(e + c * (long)n + v)).Store(s + c * (long)n + v);
            }
            for (; v < v1; v++)
            {
                double twoMu = m[v] + m[v], lt = l[v] * (e[v] + e[n + v] + e[2L * n + v]);
                for (int c = 0; c < 6; c++) s[c * (long)n + v] = (c < 3 ? lt : 0) + twoMu * e[c * (long)n + v];
            }
        });
    }

    /// <summary>
    /// <see cref="HomogenizationKernels.Green{T}"/> with work items (kd, kh), each a row of W frequencies
    /// run in vector lanes over its 2W interleaved (re, im) values: the operator is real, so a lane applies
    /// it to one part of one frequency, with xi_W read from a table holding each wave number twice.
    /// </summary>
    public void GreenOperator(Tensor tau, Tensor result, Tensor xi, GreenGrid<double> g)
    {
        double* t = tau.Data<double>(), r = result.Data<double>(), x = xi.Data<double>();
        long n = (long)g.D * g.H * g.W;
        int width = 2 * g.W, lanes = Vector512<double>.Count, padded = HostParallel.RoundUp(width, lanes);
        var table = new double[padded];
        for (int u = 0; u < width; u++) table[u] = x[g.D + g.H + u / 2];
        double twoMu0 = 2 * g.Mu0, coefficient = (g.Lambda0 + g.Mu0) / (g.Mu0 * (g.Lambda0 + 2 * g.Mu0));
        HostParallel.For((long)g.D * g.H, Math.Max(1, 4096 / g.W), (r0, r1) =>
        {
            Span<double> src = stackalloc double[6 * lanes], dst = stackalloc double[6 * lanes];
            fixed (double* xw = table)
            fixed (double* a = src, b = dst)
                for (long row = r0; row < r1; row++)
                {
                    var x0 = Vector512.Create(x[row / g.H]);
                    var x1 = Vector512.Create(x[g.D + row % g.H]);
                    for (int u = 0; u < width; u += lanes)
                    {
                        int count = Math.Min(lanes, width - u);
                        for (int c = 0; c < 6; c++)
                            new ReadOnlySpan<double>(t + 2 * (c * n + row * g.W) + u, count).CopyTo(new Span<double>(a + c * lanes, count));
                        GreenLanes(a, b, lanes, x0, x1, Vector512.Load(xw + u), twoMu0, coefficient);
                        for (int c = 0; c < 6; c++)
                            new ReadOnlySpan<double>(b + c * lanes, count).CopyTo(new Span<double>(r + 2 * (c * n + row * g.W) + u, count));
                    }
                }
        });
    }

    /// <summary>The Green operator's formula on one vector of each of the six components (a and b are [6, lanes]).</summary>
    private static void GreenLanes(double* a, double* b, int lanes, Vector512<double> x0, Vector512<double> x1, Vector512<double> x2,
        double twoMu0, double coefficient)
    {
        Vector512<double> t11 = Vector512.Load(a), t22 = Vector512.Load(a + lanes), t33 = Vector512.Load(a + 2 * lanes);
        Vector512<double> t23 = Vector512.Load(a + 3 * lanes), t13 = Vector512.Load(a + 4 * lanes), t12 = Vector512.Load(a + 5 * lanes);
        var q = x0 * x0 + x1 * x1 + x2 * x2;
        var a0 = t11 * x0 + t12 * x1 + t13 * x2;
        var a1 = t12 * x0 + t22 * x1 + t23 * x2;
        var a2 = t13 * x0 + t23 * x1 + t33 * x2;
        var xa = x0 * a0 + x1 * a1 + x2 * a2;
        var zero = Vector512.Equals(q, Vector512<double>.Zero);
        var s = Vector512.ConditionalSelect(zero, Vector512<double>.Zero, Vector512<double>.One / (Vector512.Create(twoMu0) * q));
        var c = Vector512.ConditionalSelect(zero, Vector512<double>.Zero, Vector512.Create(coefficient) * xa / (q * q));
        var two = Vector512.Create(2.0);
        (-(two * x0 * a0 * s - c * x0 * x0)).Store(b);
        (-(two * x1 * a1 * s - c * x1 * x1)).Store(b + lanes);
        (-(two * x2 * a2 * s - c * x2 * x2)).Store(b + 2 * lanes);
        (-((x2 * a1 + x1 * a2) * s - c * x1 * x2)).Store(b + 3 * lanes);
        (-((x2 * a0 + x0 * a2) * s - c * x0 * x2)).Store(b + 4 * lanes);
        (-((x1 * a0 + x0 * a1) * s - c * x0 * x1)).Store(b + 5 * lanes);
    }

    /// <summary><see cref="HomogenizationKernels.Equilibrium{T}"/> with work items (kd, kh).</summary>
    public void EquilibriumResidual(Tensor sigma, Tensor residual, Tensor xi, GreenGrid<double> g)
    {
        double* s = sigma.Data<double>(), res = residual.Data<double>(), x = xi.Data<double>();
        long n = (long)g.D * g.H * g.W;
        HostParallel.For((long)g.D * g.H, Math.Max(1, 4096 / g.W), (r0, r1) =>
        {
            for (long row = r0; row < r1; row++)
            {
                long kd = row / g.H, kh = row % g.H;
                double x0 = x[kd], x1 = x[g.D + kh];
                bool plane = (g.D % 2 == 0 && kd == g.D / 2) || (g.H % 2 == 0 && kh == g.H / 2);
                for (int kw = 0; kw < g.W; kw++)
                {
                    long f = row * g.W + kw;
                    double x2 = x[g.D + g.H + kw], total = 0;
                    for (int part = 0; part < 2; part++)
                    {
                        double s11 = s[2 * f + part], s22 = s[2 * (n + f) + part], s33 = s[2 * (2 * n + f) + part];
                        double s23 = s[2 * (3 * n + f) + part], s13 = s[2 * (4 * n + f) + part], s12 = s[2 * (5 * n + f) + part];
                        double q0 = s11 * x0 + s12 * x1 + s13 * x2, q1 = s12 * x0 + s22 * x1 + s23 * x2, q2 = s13 * x0 + s23 * x1 + s33 * x2;
                        total += q0 * q0 + q1 * q1 + q2 * q2;
                    }
                    bool nyquist = plane || (g.W % 2 == 0 && kw == g.W / 2);
                    res[f] = f == 0 || nyquist ? 0 : total;
                }
            }
        });
    }
}
