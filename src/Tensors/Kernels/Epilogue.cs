using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// What a convolution kernel does to each sum before storing it, so that a layer's output is written once instead of
/// being read and written again by an add and an activation: <c>y[n, c, v] = act((acc + Residual[n, c, v]) + Bias[c])</c>,
/// act = LeakyReLU with <see cref="Slope"/> (<c>z &gt; 0 ? z : Slope z</c>) when <see cref="Leaky"/> is 1, else the
/// identity. An empty <see cref="Residual"/> or <see cref="Bias"/> view adds nothing, so <c>default</c> stores the sum
/// as it is. The additions come in the order of the separate ops this replaces (the residual sum, then the bias inside
/// <see cref="BiasLeakyRelu"/>), each rounded once, so the fused output has the same bits.
/// </summary>
public struct Epilogue<T> where T : unmanaged, IFloatingPointIeee754<T>
{
#pragma warning disable CS1591
    public ArrayView<T> Bias, Residual;
    public T Slope;
    public int Leaky;
#pragma warning restore CS1591

    /// <summary>The stored value of output element <paramref name="index"/> (of the output's layout) in channel <paramref name="channel"/>.</summary>
    public readonly T Apply(T acc, int index, int channel)
    {
        if (Residual.Length > 0) acc += Residual[index];
        if (Bias.Length > 0) acc += Bias[channel];
        return Leaky == 0 || acc > T.Zero ? acc : Slope * acc;
    }
}
