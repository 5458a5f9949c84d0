using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// IEEE 754 binary32 to binary16 conversion with round-to-nearest-even, usable inside kernels.
/// ILGPU 1.5.3's <c>(ILGPU.Half)float</c> truncates on the CPU accelerator (measured: 23.809982 became
/// 23.796875, an error of 1.7 half-ulps), while CUDA's <c>cvt.rn</c> rounds to nearest; doing the
/// rounding here makes fp16 storage give the same bits on every device.
/// </summary>
public static class HalfRounding
{
    /// <summary>The binary16 value nearest to <paramref name="value"/> (ties to even; overflow to infinity; NaN stays NaN).</summary>
    public static ILGPU.Half FromSingle(float value) => Interop.IntAsFloat(ToBits(value));

    /// <summary>The bit pattern of <see cref="FromSingle"/>.</summary>
    public static ushort ToBits(float value)
    {
        uint f = Interop.FloatAsInt(value);
        uint sign = (f >> 16) & 0x8000u;
        uint abs = f & 0x7FFFFFFFu;
        if (abs >= 0x7F800000u) return (ushort)(sign | (abs > 0x7F800000u ? 0x7E00u : 0x7C00u)); // NaN, inf
        if (abs >= 0x477FF000u) return (ushort)(sign | 0x7C00u); // >= 65520 rounds to inf
        if (abs >= 0x38800000u)
        {
            // Normal half: rebias the exponent (127 -> 15) and round 23 mantissa bits to 10.
            uint h = (abs - 0x38000000u) >> 13;
            uint rest = abs & 0x1FFFu;
            if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0)) h++;
            return (ushort)(sign | h);
        }
        if (abs < 0x33000000u) return (ushort)sign; // below 2^-25: rounds to zero
        // Subnormal half: value = m * 2^(e-150) = (m >> s) units of 2^-24, s = 126 - e.
        int e = (int)(abs >> 23);
        uint m = (abs & 0x7FFFFFu) | 0x800000u;
        int s = 126 - e;
        uint q = m >> s, remainder = m & ((1u << s) - 1u), halfway = 1u << (s - 1);
        if (remainder > halfway || (remainder == halfway && (q & 1u) != 0)) q++;
        return (ushort)(sign | q);
    }
}
