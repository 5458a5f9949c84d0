namespace VoxelGan.Layers;

/// <summary>
/// Raised when a loss is NaN or infinite outside loss scaling: training cannot continue from this
/// state. The message names the step and the loss; the last checkpoint written before it is intact,
/// since checkpoints are written atomically.
/// </summary>
public sealed class NonFiniteLossException(long step, string loss, double value)
    : Exception($"step {step}: {loss} is {value} (not finite); training stopped, the last checkpoint is kept")
{
    /// <summary>The step at which it happened.</summary>
    public long Step { get; } = step;

    /// <summary>Throws unless <paramref name="value"/> is finite.</summary>
    public static void ThrowIfNotFinite(long step, string loss, double value)
    {
        if (!double.IsFinite(value)) throw new NonFiniteLossException(step, loss, value);
    }
}
