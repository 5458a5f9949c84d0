using Xunit;

namespace VoxelGan.TestSupport;

/// <summary>Elementwise comparison |a - e| &lt;= atol + rtol |e| that reports the worst element.</summary>
public static class Approx
{
    public static void Equal(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double rtol, double atol, string context = "")
    {
        Assert.True(expected.Count == actual.Count, $"{context}: expected {expected.Count} values, got {actual.Count}");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            double excess = Math.Abs(a - e) - (atol + rtol * Math.Abs(e));
            if (double.IsNaN(excess) || excess > worstExcess) { worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess; worst = i; }
        }
        Assert.True(worst < 0, worst < 0 ? "" : $"{context}: element {worst} is {actual[worst]:R}, expected {expected[worst]:R} (rtol {rtol}, atol {atol})");
    }

    /// <summary>Tolerances for results computed on the device in <paramref name="dtype"/> against a float64 host reference.</summary>
    public static (double Rtol, double Atol) For(VoxelGan.Tensors.DType dtype, double scale = 1) =>
        dtype == VoxelGan.Tensors.DType.Float64 ? (1e-12 * scale, 1e-12 * scale) : (2e-5 * scale, 2e-6 * scale);
}
