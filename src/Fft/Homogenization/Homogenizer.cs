using System.Diagnostics;
using VoxelGan.Tensors.Kernels;
using VoxelGan.Tensors;

namespace VoxelGan.Fft;

/// <summary>
/// FFT homogenization of periodic linear elasticity on a voxel grid of isotropic phases, after
/// Moulinec and Suquet (1998) and Zeman et al. (2010). Strains and stresses are [6, D, H, W] fields
/// of tensorial components (11, 22, 33, 23, 13, 12); array axis i is direction i + 1. The reference
/// medium is lambda0 = (lambda_min + lambda_max) / 2, mu0 = (mu_min + mu_max) / 2. Convergence is the
/// relative equilibrium residual sqrt(sum_xi |xi . sigma_hat(xi)|^2 / N) / |sigma_hat(0)| (unnormalised
/// FFT, xi = 2 pi k / n, Nyquist planes of even extents excluded) below the tolerance; a load case
/// whose mean stress vanishes (zero right-hand side) is converged at once. Everything runs in float64.
/// </summary>
public sealed class Homogenizer : IDisposable
{
    private static readonly double[] ShearWeights = [1, 1, 1, 2, 2, 2];
    private readonly Tensor _lambda, _mu, _lambda0Field, _mu0Field, _xi, _weights;
    private readonly GreenGrid<double> _grid;
    private readonly int _n;

    /// <summary>
    /// Prepares the solver for a phase map (row-major [D, H, W], values 0 .. materials.Count - 1).
    /// </summary>
    public Homogenizer(byte[] phases, int d, int h, int w, IReadOnlyList<IsotropicMaterial> materials,
        HomogenizationOptions? options = null, Device? device = null)
    {
        if (d < 1 || h < 1 || w < 1 || (long)d * h * w != phases.Length)
            throw new ShapeException($"phase map of {phases.Length} voxels does not have the extents [{d}, {h}, {w}]");
        if (materials.Count == 0) throw new ArgumentException("at least one material is needed");
        int maxPhase = phases.Max();
        if (maxPhase >= materials.Count)
            throw new ArgumentException($"the volume has phase {maxPhase} but only {materials.Count} material(s) were given (phases 0 .. {materials.Count - 1})");
        Options = (options ?? new HomogenizationOptions()).Validate();
        Device = device ?? Device.Default;
        Materials = materials;
        (D, H, W, _n) = (d, h, w, d * h * w);
        var present = phases.Distinct().Select(p => materials[p]).ToArray();
        double lambda0 = (present.Min(m => m.Lambda) + present.Max(m => m.Lambda)) / 2;
        double mu0 = (present.Min(m => m.Mu) + present.Max(m => m.Mu)) / 2;
        (Lambda0, Mu0) = (lambda0, mu0);
        _grid = new GreenGrid<double> { D = d, H = h, W = w, Lambda0 = lambda0, Mu0 = mu0 };
        _lambda = Tensor.FromArray(phases.Select(p => materials[p].Lambda).ToArray(), new Shape(_n), Device).Detach();
        _mu = Tensor.FromArray(phases.Select(p => materials[p].Mu).ToArray(), new Shape(_n), Device).Detach();
        _lambda0Field = Tensor.Full(new Shape(_n), lambda0, DType.Float64, Device).Detach();
        _mu0Field = Tensor.Full(new Shape(_n), mu0, DType.Float64, Device).Detach();
        _xi = Tensor.FromArray(WaveNumbers(d).Concat(WaveNumbers(h)).Concat(WaveNumbers(w)).ToArray(), device: Device).Detach();
        _weights = Tensor.FromArray(ShearWeights, new Shape(6, 1), Device).Detach();
        VolumeFractions = Enumerable.Range(0, materials.Count).Select(p => phases.Count(v => v == p) / (double)_n).ToArray();
    }

#pragma warning disable CS1591
    public int D { get; }
    public int H { get; }
    public int W { get; }
    public double Lambda0 { get; }
    public double Mu0 { get; }
    public HomogenizationOptions Options { get; }
    public Device Device { get; }
    public IReadOnlyList<IsotropicMaterial> Materials { get; }
    public double[] VolumeFractions { get; }
#pragma warning restore CS1591

    /// <summary>
    /// Solves the unit load cases (engineering shear) and assembles the effective stiffness: all six,
    /// or only the Voigt <paramref name="columns"/> given (the other columns stay 0). Progress counts
    /// finished load cases.
    /// </summary>
    public HomogenizationResult Stiffness(IProgress<int>? progress = null, IReadOnlyList<int>? columns = null, IProgress<SolverStatus>? status = null)
    {
        _status = status;
        var clock = Stopwatch.StartNew();
        var c = new double[6, 6];
        var cases = new List<LoadCaseResult>();
        foreach (int j in columns ?? [0, 1, 2, 3, 4, 5])
        {
            if (j is < 0 or > 5) throw new ArgumentException($"load case {j} is not a Voigt index 0..5");
            var e = new double[6];
            e[j] = 1;
            _loadCase = j;
            var r = Solve(e);
            for (int i = 0; i < 6; i++) c[i, j] = r.MeanStress[i];
            cases.Add(r);
            progress?.Report(cases.Count);
        }
        return new HomogenizationResult(c, cases, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Solves one load case with mean strain <paramref name="macroStrain"/> (Voigt, engineering shear).</summary>
    public LoadCaseResult Solve(double[] macroStrain)
    {
        if (macroStrain.Length != 6) throw new ArgumentException($"a macro strain has 6 Voigt components, got {macroStrain.Length}");
        using var scope = TensorScope.Begin();
        var tensorial = macroStrain.Select((v, i) => i < 3 ? v : v / 2).ToArray();
        var mean = Tensor.FromArray(tensorial, new Shape(6, 1), Device);
        var (eps, iterations, residual) = Options.Scheme == HomogenizationScheme.Basic ? Basic(mean) : ConjugateGradient(mean);
        var stress = Ops.Mean(Stress(eps, _lambda, _mu), 1).ToArray<double>();
        return new LoadCaseResult((double[])macroStrain.Clone(), stress, iterations, residual);
    }

    private (Tensor Strain, int Iterations, double Residual) Basic(Tensor mean)
    {
        var eps = Ops.BroadcastTo(mean, new Shape(6, _n));
        var epsHat = Spectrum(eps);
        for (int it = 0; ; it++)
        {
            using var step = TensorScope.Begin();
            var sigmaHat = Spectrum(Stress(eps, _lambda, _mu));
            double residual = Residual(sigmaHat);
            if (residual < Options.Tolerance) return (eps.MoveToOuter(), it, residual);
            CheckProgress(it, residual);
            var nextHat = Ops.Add(epsHat, MinusGreen(sigmaHat)).MoveToOuter();
            var next = Field(nextHat).MoveToOuter();
            epsHat.Dispose();
            eps.Dispose();
            (epsHat, eps) = (nextHat, next);
        }
    }

    private (Tensor Strain, int Iterations, double Residual) ConjugateGradient(Tensor mean)
    {
        var macro = Ops.BroadcastTo(mean, new Shape(6, _n));
        var e = Tensor.Zeros(new Shape(6, _n), DType.Float64, Device);
        var r = Field(MinusGreen(Spectrum(Stress(macro, _lambda, _mu)))); // b = -Gamma0 * (C : E)
        var p = r;
        double rr = DotC0(r, r);
        for (int it = 0; ; it++)
        {
            using var step = TensorScope.Begin();
            var eps = Ops.Add(macro, e);
            double residual = Residual(Spectrum(Stress(eps, _lambda, _mu)));
            if (residual < Options.Tolerance || rr == 0) return (eps.MoveToOuter(), it, residual);
            CheckProgress(it, residual);
            var ap = Ops.Neg(Field(MinusGreen(Spectrum(Stress(p, _lambda, _mu))))); // Gamma0 * (C : p)
            double alpha = rr / DotC0(p, ap);
            var eNext = Ops.Add(e, Ops.MulScalar(p, alpha)).MoveToOuter();
            var rNext = Ops.Sub(r, Ops.MulScalar(ap, alpha)).MoveToOuter();
            double rrNext = DotC0(rNext, rNext);
            var pNext = Ops.Add(rNext, Ops.MulScalar(p, rrNext / rr)).MoveToOuter();
            e.Dispose();
            r.Dispose();
            p.Dispose();
            (e, r, p, rr) = (eNext, rNext, pNext, rrNext);
        }
    }

    private IProgress<SolverStatus>? _status;
    private int _loadCase;
    private readonly Stopwatch _sinceReport = Stopwatch.StartNew();

    private void CheckProgress(int iteration, double residual)
    {
        if (_status is not null && _sinceReport.Elapsed >= Options.StatusInterval)
        {
            _status.Report(new SolverStatus(_loadCase, iteration, residual));
            _sinceReport.Restart();
        }
        if (!double.IsFinite(residual))
            throw new InvalidOperationException($"the {Options.Scheme} scheme diverged at iteration {iteration} (residual {residual})");
        if (iteration >= Options.MaxIterations)
            throw new InvalidOperationException($"the {Options.Scheme} scheme did not reach tolerance {Options.Tolerance} in {Options.MaxIterations} iterations (residual {residual:E3}); raise --max-iterations or --tol");
    }

    /// <summary>sigma = C(x) : eps for per-voxel Lame fields.</summary>
    private Tensor Stress(Tensor eps, Tensor lambda, Tensor mu)
    {
        return Ops.HookeStress(eps, lambda, mu);
    }

    /// <summary>&lt;a, C0 : b&gt; summed over voxels, with the tensor contraction (shear components count twice).</summary>
    private double DotC0(Tensor a, Tensor b)
    {
        using var scope = TensorScope.Begin();
        return Ops.Sum(Ops.Mul(Ops.Mul(a, Stress(b, _lambda0Field, _mu0Field)), _weights)).Item();
    }

    private Tensor Spectrum(Tensor field)
    {
        using var complex = Fourier.FromReal(field.Reshape(6, D, H, W));
        return Fourier.Transform3d(complex);
    }

    private Tensor Field(Tensor spectrum)
    {
        // Unscaled inverse transform, then 1/N on the real part only (half the data of the complex result).
        using var back = Fourier.Transform3d(spectrum, inverse: true, scaled: false);
        using var real = Fourier.RealPart(back);
        using var flat = real.Reshape(6, _n);
        return Ops.MulScalar(flat, 1.0 / _n);
    }

    private Tensor MinusGreen(Tensor spectrum)
    {
        return Ops.GreenOperator(spectrum, _xi, _grid);
    }

    private double Residual(Tensor sigmaHat)
    {
        using var scope = TensorScope.Begin();
        var perFrequency = Ops.EquilibriumResidual(sigmaHat, _xi, _grid);
        double numerator = Math.Sqrt(Ops.Sum(perFrequency).Item() / _n);
        // sigma_hat(0) = N <sigma>, the real part of each component's first entry; its tensor norm
        // counts the shear components twice.
        var zero = Ops.Slice(sigmaHat.Reshape(6, 2 * _n), 1, 0, 1).ToArray<double>();
        double norm0 = 0;
        for (int c = 0; c < 6; c++) norm0 += ShearWeights[c] * zero[c] * zero[c];
        norm0 = Math.Sqrt(norm0);
        return norm0 == 0 ? 0 : numerator / norm0;
    }

    private static double[] WaveNumbers(int n) =>
        Enumerable.Range(0, n).Select(k => 2 * Math.PI * (k <= n / 2 ? k : k - n) / n).ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { _lambda, _mu, _lambda0Field, _mu0Field, _xi, _weights }) t.Dispose();
    }
}
