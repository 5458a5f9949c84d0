using VoxelGan.Fft;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Figures;
using VoxelGan.Tensors;

namespace VoxelGan.Gan.Evaluation;

/// <summary>Per-volume descriptors of a set (paper section 3.7).</summary>
/// <param name="P1">Inclusion volume fraction per volume.</param>
/// <param name="S2">Radially averaged two-point correlation per volume.</param>
/// <param name="Radii">The radii of <paramref name="S2"/>.</param>
/// <param name="C11">Effective C11 per homogenized volume (the first ones of the set).</param>
public sealed record SetDescriptors(double[] P1, double[][] S2, int[] Radii, double[] C11);

/// <summary>E_p1, E_p2 and E_C11 of Eq. 34 and the descriptors behind them.</summary>
/// <param name="Real">The training (baseline) set.</param>
/// <param name="Fake">The generated set.</param>
/// <param name="ErrorP1">Mean over generated volumes of |p1_real_mean - p1| / |p1_real_mean|.</param>
/// <param name="ErrorP2">The same with the L2 norm over r of S2.</param>
/// <param name="ErrorC11">The same for C11 (NaN when nothing was homogenized).</param>
public sealed record EvaluationResult(SetDescriptors Real, SetDescriptors Fake, double ErrorP1, double ErrorP2, double ErrorC11);

/// <summary>Compares generated microstructures with the training set (DESIGN.md section 5).</summary>
public static class Evaluator
{
    /// <summary>
    /// p1 and S2 of every volume; C11 (load case 11 of the FFT homogenization, the paper's materials,
    /// CG, tolerance 1e-6) of the first <paramref name="homogenizeCount"/> of each set. Phase maps are
    /// the given 0/1 arrays.
    /// </summary>
    public static SetDescriptors Describe(IReadOnlyList<byte[]> phases, int d, int h, int w, int homogenizeCount, Device device)
    {
        var p1 = new double[phases.Count];
        var s2 = new double[phases.Count][];
        int[] radii = [];
        for (int i = 0; i < phases.Count; i++)
        {
            var c = Correlate(new Volume(Array.ConvertAll(phases[i], p => (float)p), d, h, w, $"volume {i}"), 0.5, device);
            (p1[i], s2[i], radii) = (c.P1, c.S2, c.Radii);
        }
        var c11 = new double[Math.Min(homogenizeCount, phases.Count)];
        for (int i = 0; i < c11.Length; i++)
        {
            using var solver = new Homogenizer(phases[i], d, h, w, [IsotropicMaterial.PaperMatrix, IsotropicMaterial.PaperInclusion], device: device);
            c11[i] = solver.Solve([1, 0, 0, 0, 0, 0]).MeanStress[0];
        }
        return new SetDescriptors(p1, s2, radii, c11);
    }

    /// <summary>
    /// p1 and S2 of a grey-value or binary volume: phase 1 where the value exceeds <paramref name="threshold"/>
    /// (<see cref="Volume.DefaultThreshold"/> when null).
    /// </summary>
    public static TwoPointCorrelation Correlate(Volume volume, double? threshold, Device device)
    {
        using var scope = TensorScope.Begin();
        var tensor = Tensor.FromArray(volume.Values, new Shape(volume.D, volume.H, volume.W), device);
        return Correlations.TwoPoint(tensor, threshold ?? Volume.DefaultThreshold([volume]));
    }

    /// <summary>Eq. 34 for p1, S2 and C11.</summary>
    public static EvaluationResult Compare(SetDescriptors real, SetDescriptors fake)
    {
        if (real.Radii.Length != fake.Radii.Length)
            throw new ArgumentException($"real and generated volumes differ in size ({real.Radii.Length} vs {fake.Radii.Length} correlation radii); compare sets of one size");
        double p1Base = real.P1.Average();
        var s2Base = Enumerable.Range(0, real.Radii.Length).Select(r => real.S2.Average(s => s[r])).ToArray();
        double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(x => x * x));
        double eP1 = fake.P1.Average(p => Math.Abs(p1Base - p) / Math.Abs(p1Base));
        double eP2 = fake.S2.Average(s => Norm(s.Zip(s2Base, (a, b) => b - a)) / Norm(s2Base));
        double eC11 = real.C11.Length == 0 || fake.C11.Length == 0 ? double.NaN
            : fake.C11.Average(c => Math.Abs(real.C11.Average() - c) / Math.Abs(real.C11.Average()));
        return new EvaluationResult(real, fake, eP1, eP2, eC11);
    }

    /// <summary>The mean and spread of a set's S2 curves, for <see cref="CorrelationPlot"/>.</summary>
    public static CorrelationCurve Curve(string label, SetDescriptors set)
    {
        var radii = set.Radii.Select(r => (double)r).ToArray();
        var columns = Enumerable.Range(0, radii.Length).Select(r => set.S2.Select(s => s[r]).ToArray()).ToArray();
        var mean = columns.Select(Statistics.Mean).ToArray();
        var std = columns.Select(Statistics.StandardDeviation).ToArray();
        return new CorrelationCurve(label, radii, mean, std);
    }
}
