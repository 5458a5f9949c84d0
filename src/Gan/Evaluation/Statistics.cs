namespace VoxelGan.Gan.Evaluation;

/// <summary>Summary statistics of samples, in one pass each (the mean is computed once, not per element).</summary>
public static class Statistics
{
    /// <summary>The arithmetic mean; NaN for no values.</summary>
    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Sum() / values.Count;

    /// <summary>The population standard deviation sqrt(mean((v - mean)^2)); NaN for no values.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        double mean = Mean(values), sum = 0;
        foreach (double v in values) sum += (v - mean) * (v - mean);
        return values.Count == 0 ? double.NaN : Math.Sqrt(sum / values.Count);
    }
}
