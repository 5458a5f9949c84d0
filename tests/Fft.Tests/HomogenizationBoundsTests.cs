using MathNet.Numerics.LinearAlgebra;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Fft.Tests;

public class HomogenizationBoundsTests
{
    private static Device D => TestDevice.Instance;

    private static readonly IsotropicMaterial Matrix = IsotropicMaterial.PaperMatrix, Inclusion = IsotropicMaterial.PaperInclusion;

    private static byte[] RandomPhases(int n, double fraction, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() < fraction ? (byte)1 : (byte)0).ToArray();
    }

    /// <summary>Periodic non-overlapping spheres by random sequential addition.</summary>
    private static byte[] Spheres(int edge, double radius, int count, int seed)
    {
        var rng = new Random(seed);
        var centres = new List<double[]>();
        double Dist(double a, double b) { double d = Math.Abs(a - b) % edge; return Math.Min(d, edge - d); }
        while (centres.Count < count)
        {
            var c = new[] { rng.NextDouble() * edge, rng.NextDouble() * edge, rng.NextDouble() * edge };
            if (centres.All(o => Math.Sqrt(Enumerable.Range(0, 3).Sum(k => Dist(c[k], o[k]) * Dist(c[k], o[k]))) > 2 * radius + 1)) centres.Add(c);
        }
        var phases = new byte[edge * edge * edge];
        for (int a = 0; a < edge; a++) for (int b = 0; b < edge; b++) for (int c = 0; c < edge; c++)
            foreach (var o in centres)
            {
                double r2 = Dist(a + 0.5, o[0]) * Dist(a + 0.5, o[0]) + Dist(b + 0.5, o[1]) * Dist(b + 0.5, o[1]) + Dist(c + 0.5, o[2]) * Dist(c + 0.5, o[2]);
                if (r2 <= radius * radius) phases[(a * edge + b) * edge + c] = 1;
            }
        return phases;
    }

    private static Matrix<double> M(double[,] c) => Matrix<double>.Build.DenseOfArray(c);

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.8, 3)]
    public void RandomMicrostructuresLieBetweenTheVoigtAndReussBounds(double fraction, int seed)
    {
        var phases = RandomPhases(6 * 6 * 6, fraction, seed);
        using var solver = new Homogenizer(phases, 6, 6, 6, [Matrix, Inclusion], new HomogenizationOptions { Tolerance = 1e-8 }, D);
        var c = M(solver.Stiffness().Stiffness);
        double f1 = solver.VolumeFractions[1];
        var voigt = M(Matrix.Stiffness()) * (1 - f1) + M(Inclusion.Stiffness()) * f1;
        var reuss = (M(Matrix.Stiffness()).Inverse() * (1 - f1) + M(Inclusion.Stiffness()).Inverse() * f1).Inverse();
        double scale = voigt.L2Norm();
        Assert.True((c - c.Transpose()).L2Norm() < 1e-6 * scale, "effective stiffness is not symmetric");
        Assert.True((voigt - c).Evd().EigenValues.Min(e => e.Real) > -1e-7 * scale, "C exceeds the Voigt bound");
        Assert.True((c - reuss).Evd().EigenValues.Min(e => e.Real) > -1e-7 * scale, "C is below the Reuss bound");
    }

    [Fact]
    public void SpheresLieBetweenTheHashinShtrikmanBounds()
    {
        var phases = Spheres(16, 3, 8, 5);
        static (double K, double G) Iso(double[,] c) =>
            ((c[0, 0] + c[1, 1] + c[2, 2] + 2 * (c[0, 1] + c[0, 2] + c[1, 2])) / 9,
             (c[0, 0] + c[1, 1] + c[2, 2] - (c[0, 1] + c[0, 2] + c[1, 2]) + 3 * (c[3, 3] + c[4, 4] + c[5, 5])) / 15);
        using var cg = new Homogenizer(phases, 16, 16, 16, [Matrix, Inclusion], new HomogenizationOptions { Tolerance = 1e-5 }, D);
        var c = cg.Stiffness().Stiffness;
        double f1 = cg.VolumeFractions[1], f0 = 1 - f1;
        Assert.InRange(f1, 0.05, 0.4);
        double K(IsotropicMaterial m) => m.Lambda + 2 * m.Mu / 3;
        double G(IsotropicMaterial m) => m.Mu;
        // Hashin-Shtrikman: lower bound with the soft matrix as reference, upper with the stiff inclusions.
        double KHs(IsotropicMaterial a, double fa, IsotropicMaterial b, double fb) => K(a) + fb / (1 / (K(b) - K(a)) + 3 * fa / (3 * K(a) + 4 * G(a)));
        double GHs(IsotropicMaterial a, double fa, IsotropicMaterial b, double fb) => G(a) + fb / (1 / (G(b) - G(a)) + 6 * fa * (K(a) + 2 * G(a)) / (5 * G(a) * (3 * K(a) + 4 * G(a))));
        var (kEff, gEff) = Iso(c);
        Assert.InRange(kEff, KHs(Matrix, f0, Inclusion, f1), KHs(Inclusion, f1, Matrix, f0));
        Assert.InRange(gEff, GHs(Matrix, f0, Inclusion, f1), GHs(Inclusion, f1, Matrix, f0));
    }

    [Fact]
    public void BasicSchemeAndConjugateGradientsAgreeOnTheFullStiffness()
    {
        var phases = Spheres(8, 1.5, 4, 11);
        using var cg = new Homogenizer(phases, 8, 8, 8, [Matrix, Inclusion], new HomogenizationOptions { Tolerance = 1e-7 }, D);
        using var basic = new Homogenizer(phases, 8, 8, 8, [Matrix, Inclusion], new HomogenizationOptions { Scheme = HomogenizationScheme.Basic, Tolerance = 1e-7 }, D);
        var c = cg.Stiffness().Stiffness;
        var cb = basic.Stiffness().Stiffness;
        var flat = c.Cast<double>().ToArray();
        // Off-diagonal couplings are small differences of large numbers: compare them on the scale of C.
        Approx.Equal(flat, cb.Cast<double>().ToArray(), 1e-5, 1e-5 * flat.Max(Math.Abs), "basic vs conjugate gradients");
    }

    [Fact]
    public void ConjugateGradientsNeedClearlyFewerIterationsAtContrast100()
    {
        var phases = RandomPhases(8 * 8 * 8, 0.3, 7);
        IsotropicMaterial[] materials = [new(1, 0.3), new(100, 0.3)];
        double[] load = [1, 0, 0, 0, 0, 0];
        using var basic = new Homogenizer(phases, 8, 8, 8, materials, new HomogenizationOptions { Scheme = HomogenizationScheme.Basic, Tolerance = 1e-5 }, D);
        using var cg = new Homogenizer(phases, 8, 8, 8, materials, new HomogenizationOptions { Tolerance = 1e-5 }, D);
        var b = basic.Solve(load);
        var c = cg.Solve(load);
        Assert.True(b.Iterations >= 4 * c.Iterations, $"basic {b.Iterations} vs CG {c.Iterations} iterations");
        Approx.Equal(b.MeanStress, c.MeanStress, 1e-3, 1e-3, "same answer");
    }

    [Fact]
    public void BadInputsGiveClearErrorsAndAZeroLoadIsNotADivisionByZero()
    {
        var pore = Assert.Throws<ArgumentException>(() => new IsotropicMaterial(0, 0.3));
        Assert.Contains("pores", pore.Message);
        Assert.Throws<ArgumentException>(() => new IsotropicMaterial(1, 0.5));
        var phases = new byte[] { 0, 1, 2, 0, 1, 0, 0, 0 };
        var e = Assert.Throws<ArgumentException>(() => new Homogenizer(phases, 2, 2, 2, [Matrix, Inclusion], device: D));
        Assert.Contains("phase 2", e.Message);
        Assert.Throws<ShapeException>(() => new Homogenizer(new byte[7], 2, 2, 2, [Matrix], device: D));
        using var solver = new Homogenizer(new byte[] { 0, 1, 0, 1, 1, 0, 0, 0 }, 2, 2, 2, [Matrix, Inclusion], device: D);
        var zero = solver.Solve(new double[6]);
        Assert.All(zero.MeanStress, s => Assert.Equal(0, s));
        Assert.Equal(0, zero.Residual);
    }

    [Fact]
    public void RepeatedSolvesDoNotGrowDeviceMemory()
    {
        using var solver = new Homogenizer(RandomPhases(64, 0.4, 1), 4, 4, 4, [Matrix, Inclusion], device: D);
        solver.Solve([1, 0, 0, 0, 0, 0]);
        int live = D.LiveTensors;
        long inUse = D.Pool.BytesInUse;
        for (int i = 0; i < 3; i++) solver.Solve([0, 1, 0, 0, 1, 0]);
        Assert.Equal(live, D.LiveTensors);
        Assert.Equal(inUse, D.Pool.BytesInUse);
    }
}
