namespace VoxelGan.Gan.Data;

/// <summary>Where a generated grey-value volume is split into its two phases.</summary>
public enum PhaseThreshold
{
    /// <summary>At standardized value 0, the training data's mean (the authors' main.py and gan.py).</summary>
    DataMean,

    /// <summary>Midway between the smallest and largest standardized training value, (lambda_min + lambda_max) / 2.</summary>
    RangeMidpoint,
}
