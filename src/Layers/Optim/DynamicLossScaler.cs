using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>
/// Dynamic loss scaling (Micikevicius et al. 2018; the policy of Keras' LossScaleOptimizer): the loss
/// is multiplied by <see cref="Scale"/> before backward so small fp16 gradients do not flush to zero;
/// a step whose gradients contain inf or NaN is skipped and the scale halved; after
/// <see cref="GrowthInterval"/> clean steps in a row the scale doubles. The skip itself happens on the device
/// (<see cref="Nadam.Queue"/>: the update kernel checks the gradients' sum of squares); the scaler learns the
/// outcome when that sum is read back with the iteration's metrics.
/// </summary>
public sealed class DynamicLossScaler(double initialScale = 32768, int growthInterval = 2000)
{
    /// <summary>The current loss scale.</summary>
    public double Scale { get; private set; } = initialScale;

    /// <summary>Clean steps needed before the scale grows.</summary>
    public int GrowthInterval { get; } = growthInterval;

    /// <summary>Clean steps since the last change of scale.</summary>
    public int CleanSteps { get; private set; }

    /// <summary>Steps skipped because of non-finite gradients.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>
    /// Records the outcome of a backward pass and says whether the optimizer step should be applied
    /// (with gradients multiplied by 1 / the scale that was used).
    /// </summary>
    public bool Update(bool gradientsFinite)
    {
        if (!gradientsFinite)
        {
            Scale = Math.Max(Scale * 0.5, 1e-30);
            CleanSteps = 0;
            SkippedSteps++;
            return false;
        }
        if (++CleanSteps >= GrowthInterval)
        {
            Scale *= 2;
            CleanSteps = 0;
        }
        return true;
    }

    /// <summary>Restores the state saved in a checkpoint.</summary>
    public void Restore(double scale, int cleanSteps, long skippedSteps) => (Scale, CleanSteps, SkippedSteps) = (scale, cleanSteps, skippedSteps);
}
