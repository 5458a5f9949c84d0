using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Counter-based random numbers: element i of a draw is a pure function of (seed, offset + i), so the
/// numbers do not depend on the device, the launch width or the thread schedule. The hash is
/// SplitMix64 (Steele, Lea, Flood 2014) applied twice, to the seed and to the counter.
/// </summary>
public static class RandomKernels
{
    /// <summary>SplitMix64 finaliser: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double in the open interval (0, 1) from counter <paramref name="counter"/> of stream <paramref name="seed"/>.</summary>
    public static double Unit(ulong seed, ulong counter) => ((Mix(Mix(seed) ^ counter) >> 11) + 0.5) * (1.0 / 9007199254740992.0);

    /// <summary><c>y[i] = low + (high - low) * u(seed, offset + i)</c>, u uniform in (0, 1).</summary>
    public static void Uniform<T, TConv>(Index1D thread, int threads, ArrayView<T> y, ulong seed, ulong offset,
        double low, double high, TConv conv)
        where T : unmanaged where TConv : struct, IConvert<double, T>
    {
        for (int i = thread; i < y.IntLength; i += threads)
            y[i] = conv.Convert(low + (high - low) * Unit(seed, offset + (ulong)i));
    }

    /// <summary>
    /// <c>y[i] = mean + std * sqrt(-2 ln u1) cos(2 pi u2)</c> (Box-Muller) with
    /// u1 = u(seed, offset + 2i), u2 = u(seed, offset + 2i + 1).
    /// </summary>
    public static void Normal<T, TConv>(Index1D thread, int threads, ArrayView<T> y, ulong seed, ulong offset,
        double mean, double std, TConv conv)
        where T : unmanaged where TConv : struct, IConvert<double, T>
    {
        for (int i = thread; i < y.IntLength; i += threads)
        {
            ulong c = offset + 2UL * (ulong)i;
            double r = Math.Sqrt(-2.0 * Math.Log(Unit(seed, c)));
            y[i] = conv.Convert(mean + std * r * Math.Cos(2.0 * Math.PI * Unit(seed, c + 1)));
        }
    }
}
