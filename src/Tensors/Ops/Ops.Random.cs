namespace VoxelGan.Tensors;

/// <summary>
/// A reproducible stream of random numbers: a seed plus a counter that each draw advances by the
/// number of values it used. Two generators with the same seed give the same tensors in the same
/// order, on any device.
/// </summary>
public sealed class RandomGenerator(ulong seed)
{
    /// <summary>The seed of this stream.</summary>
    public ulong Seed { get; } = seed;

    /// <summary>Counter of the next value; saved with checkpoints so a resumed run continues the stream.</summary>
    public ulong Offset { get; set; }

    internal ulong Advance(long count)
    {
        ulong start = Offset;
        Offset += (ulong)count;
        return start;
    }
}

public static partial class Ops
{
    /// <summary>Uniform values in (low, high).</summary>
    public static Tensor Uniform(Shape shape, RandomGenerator rng, double low = 0, double high = 1,
        DType dtype = DType.Float32, Device? device = null)
    {
        var y = Tensor.Empty(shape, dtype, device);
        ulong offset = rng.Advance(shape.Numel);
        if (y.Numel > 0) y.Device.Backend.Uniform(y, rng.Seed, offset, low, high);
        return y;
    }

    /// <summary>Normally distributed values N(mean, std^2).</summary>
    public static Tensor Normal(Shape shape, RandomGenerator rng, double mean = 0, double std = 1,
        DType dtype = DType.Float32, Device? device = null)
    {
        var y = Tensor.Empty(shape, dtype, device);
        ulong offset = rng.Advance(2L * shape.Numel);
        if (y.Numel > 0) y.Device.Backend.Normal(y, rng.Seed, offset, mean, std);
        return y;
    }
}
