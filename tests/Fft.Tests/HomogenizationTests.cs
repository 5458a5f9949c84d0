using MathNet.Numerics.LinearAlgebra;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Fft.Tests;

public class HomogenizationTests
{
    private static Device D => TestDevice.Instance;

    private static readonly IsotropicMaterial Matrix = IsotropicMaterial.PaperMatrix, Inclusion = IsotropicMaterial.PaperInclusion;

    /// <summary>Layers normal to direction <paramref name="normal"/> (array axis), phase 1 in the given slabs.</summary>
    private static byte[] Laminate(int d, int h, int w, int normal, Func<int, bool> inclusion)
    {
        var phases = new byte[d * h * w];
        for (int a = 0; a < d; a++) for (int b = 0; b < h; b++) for (int c = 0; c < w; c++)
            phases[(a * h + b) * w + c] = inclusion(normal == 0 ? a : normal == 1 ? b : c) ? (byte)1 : (byte)0;
        return phases;
    }

    /// <summary>DESIGN.md section 6: the exact stiffness of a laminate with layers normal to e3.</summary>
    private static double[,] LaminateExact(double f1, IsotropicMaterial m0, IsotropicMaterial m1)
    {
        double Avg(Func<IsotropicMaterial, double> g) => (1 - f1) * g(m0) + f1 * g(m1);
        double M(IsotropicMaterial m) => m.Lambda + 2 * m.Mu;
        double c33 = 1 / Avg(m => 1 / M(m));
        double lm = Avg(m => m.Lambda / M(m));
        double c13 = lm * c33;
        double c11 = Avg(m => 4 * m.Mu * (m.Lambda + m.Mu) / M(m)) + lm * lm * c33;
        double c12 = Avg(m => 2 * m.Lambda * m.Mu / M(m)) + lm * lm * c33;
        double c44 = 1 / Avg(m => 1 / m.Mu);
        double c66 = Avg(m => m.Mu);
        var c = new double[6, 6];
        c[0, 0] = c[1, 1] = c11; c[2, 2] = c33;
        c[0, 1] = c[1, 0] = c12;
        c[0, 2] = c[2, 0] = c[1, 2] = c[2, 1] = c13;
        c[3, 3] = c[4, 4] = c44; c[5, 5] = c66;
        return c;
    }

    /// <summary>Re-expresses a stiffness for layers normal to e3 when the normal is another axis.</summary>
    private static double[,] Rotate(double[,] c, int normal)
    {
        // Direction permutation taking e3 to the normal: normal 0: (2,1,0); normal 1: (0,2,1); normal 2: identity.
        int[] perm = normal == 0 ? [2, 1, 0] : normal == 1 ? [0, 2, 1] : [0, 1, 2];
        int Voigt(int i, int j) => i == j ? i : 6 - i - j; // (1,2)->3 (23), (0,2)->4 (13), (0,1)->5 (12)
        var pairs = new (int, int)[] { (0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1) };
        var r = new double[6, 6];
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 6; b++)
            {
                var (i, j) = pairs[a];
                var (k, l) = pairs[b];
                r[Voigt(perm[i], perm[j]), Voigt(perm[k], perm[l])] = c[a, b];
            }
        return r;
    }

    private static double[] Flat(double[,] c) => Enumerable.Range(0, 36).Select(i => c[i / 6, i % 6]).ToArray();

    [Theory]
    [InlineData(HomogenizationScheme.Basic, 0)]
    [InlineData(HomogenizationScheme.Basic, 1)]
    [InlineData(HomogenizationScheme.Basic, 2)]
    [InlineData(HomogenizationScheme.ConjugateGradient, 0)]
    [InlineData(HomogenizationScheme.ConjugateGradient, 1)]
    [InlineData(HomogenizationScheme.ConjugateGradient, 2)]
    public void LaminatesReproduceTheClosedFormInEveryStackingDirection(HomogenizationScheme scheme, int normal)
    {
        int[] dims = [6, 5, 4];
        int n = dims[normal];
        var phases = Laminate(dims[0], dims[1], dims[2], normal, x => x < 2);
        double f1 = 2.0 / n;
        using var solver = new Homogenizer(phases, dims[0], dims[1], dims[2], [Matrix, Inclusion],
            new HomogenizationOptions { Scheme = scheme, Tolerance = 1e-10 }, D);
        var result = solver.Stiffness();
        var exact = Rotate(LaminateExact(f1, Matrix, Inclusion), normal);
        Approx.Equal(Flat(exact), Flat(result.Stiffness), 1e-7, 1e-6, $"{scheme} laminate normal to axis {normal}");
        Assert.All(result.LoadCases, lc => Assert.True(lc.Residual < 1e-10));
    }

    [Theory]
    [InlineData(HomogenizationScheme.Basic)]
    [InlineData(HomogenizationScheme.ConjugateGradient)]
    public void AHomogeneousMaterialReturnsItsOwnStiffness(HomogenizationScheme scheme)
    {
        using var solver = new Homogenizer(new byte[3 * 4 * 5], 3, 4, 5, [Inclusion], new HomogenizationOptions { Scheme = scheme }, D);
        var result = solver.Stiffness();
        Approx.Equal(Flat(Inclusion.Stiffness()), Flat(result.Stiffness), 1e-12, 1e-9, "homogeneous");
        Assert.All(result.LoadCases, lc => Assert.Equal(0, lc.Iterations));
    }

    [Fact]
    public void ARunningSolveReportsItsIterationAndResidual()
    {
        var phases = new byte[8 * 8 * 8];
        for (int i = 0; i < phases.Length; i++) phases[i] = (byte)(i % 8 < 3 ? 1 : 0);
        using var solver = new Homogenizer(phases, 8, 8, 8, [new IsotropicMaterial(1000, 0.3), new IsotropicMaterial(100000, 0.3)],
            new HomogenizationOptions { Scheme = HomogenizationScheme.Basic, StatusInterval = TimeSpan.Zero }, D);
        var seen = new List<SolverStatus>();
        var result = solver.Stiffness(columns: [1], status: new Recorder(seen));
        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.Equal(1, s.LoadCase));
        Assert.Equal(Enumerable.Range(0, seen.Count), seen.Select(s => s.Iteration));
        Assert.Equal(result.LoadCases[0].Iterations, seen.Count);
        Assert.True(seen[^1].Residual >= solver.Options.Tolerance && seen[^1].Residual < seen[0].Residual);
    }

    private sealed class Recorder(List<SolverStatus> seen) : IProgress<SolverStatus>
    {
        public void Report(SolverStatus value) => seen.Add(value);
    }
}
