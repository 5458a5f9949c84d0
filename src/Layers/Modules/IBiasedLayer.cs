using VoxelGan.Autograd;

namespace VoxelGan.Layers;

/// <summary>
/// A layer y = f(x) + b whose bias is added along axis 1 (the channels of [B, C, ...], the features of [B, F]). Split
/// so that the bias can join the activation after it in one launch (<see cref="BiasedLayers.ForwardLeakyRelu"/>).
/// </summary>
public interface IBiasedLayer
{
    /// <summary>f(x): the layer without its bias.</summary>
    Var ForwardWithoutBias(Var x);

    /// <summary>b [out], or null for a layer without bias.</summary>
    Var? Bias { get; }
}

/// <summary>Fused forms of biased layers.</summary>
public static class BiasedLayers
{
    /// <summary>layer(x) = f(x) + b, the bias [C] broadcast along axis 1 of f(x) [B, C, D, H, W] (the convolutions' form).</summary>
    public static Var ForwardChannelBias(this IBiasedLayer layer, Var x)
    {
        var y = layer.ForwardWithoutBias(x);
        return layer.Bias is { } bias ? y + Functional.Reshape(bias, 1, -1, 1, 1, 1) : y;
    }

    /// <summary>LeakyReLU(layer(x)), bias and activation in one launch (<see cref="Functional.BiasLeakyRelu"/>).</summary>
    public static Var ForwardLeakyRelu(this IBiasedLayer layer, Var x, double slope) => layer.Bias is { } bias
        ? Functional.BiasLeakyRelu(layer.ForwardWithoutBias(x), bias, slope)
        : Functional.LeakyRelu(layer.ForwardWithoutBias(x), slope);
}
