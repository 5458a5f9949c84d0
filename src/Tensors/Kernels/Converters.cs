namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// A numeric conversion usable inside kernels. Generic conversions (<c>T.CreateTruncating</c>) do
/// not compile in ILGPU kernels, and <c>ILGPU.Half</c> is not an <c>INumber</c>, so each supported
/// pair has a struct of its own.
/// </summary>
public interface IConvert<TFrom, TTo> where TFrom : unmanaged where TTo : unmanaged
{
    /// <summary>Converts one value (round to nearest even).</summary>
    TTo Convert(TFrom value);
}

#pragma warning disable CS1591 // each struct's name is its conversion
public struct SingleToDouble : IConvert<float, double> { public double Convert(float v) => v; }
public struct DoubleToSingle : IConvert<double, float> { public float Convert(double v) => (float)v; }
public struct DoubleToDouble : IConvert<double, double> { public double Convert(double v) => v; }
public struct SingleToHalf : IConvert<float, ILGPU.Half> { public ILGPU.Half Convert(float v) => HalfRounding.FromSingle(v); }
public struct HalfToSingle : IConvert<ILGPU.Half, float> { public float Convert(ILGPU.Half v) => v; }
/// <summary>Rounds to float first, then to half (double rounding can differ from direct rounding by one half-ulp in rare ties).</summary>
public struct DoubleToHalf : IConvert<double, ILGPU.Half> { public ILGPU.Half Convert(double v) => HalfRounding.FromSingle((float)v); }
public struct HalfToDouble : IConvert<ILGPU.Half, double> { public double Convert(ILGPU.Half v) => (float)v; }
#pragma warning restore CS1591
