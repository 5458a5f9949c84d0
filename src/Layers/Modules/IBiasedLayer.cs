using VoxelGan.Autograd;

namespace VoxelGan.Layers;

/// <summary>
/// A layer y = f(x) + b whose bias is added along axis 1 (the channels of [B, C, ...], the features of [B, F]). Split
/// so that the bias, a residual and the activation after it can join the layer's own launch
/// (<see cref="ForwardEpilogue"/>).
/// </summary>
public interface IBiasedLayer
{
    /// <summary>f(x): the layer without its bias.</summary>
    Var ForwardWithoutBias(Var x);

    /// <summary>b [out], or null for a layer without bias.</summary>
    Var? Bias { get; }

    /// <summary>
    /// act((f(x) + residual) + b): the layer with a residual added before its bias (null for none) and a LeakyReLU of
    /// <paramref name="slope"/> (at least 0; null for none), applied by the layer's kernel as it stores its output
    /// (<see cref="Functional.Conv3dBiasActivation"/> and its kin), with the values of the separate ops.
    /// </summary>
    Var ForwardEpilogue(Var x, Var? residual, double? slope);
}

/// <summary>The usual forms of a biased layer's forward pass.</summary>
public static class BiasedLayers
{
    /// <summary>layer(x) = f(x) + b, the bias broadcast along axis 1.</summary>
    public static Var ForwardChannelBias(this IBiasedLayer layer, Var x) => layer.ForwardEpilogue(x, null, null);

    /// <summary>LeakyReLU(layer(x)), bias and activation in one launch.</summary>
    public static Var ForwardLeakyRelu(this IBiasedLayer layer, Var x, double slope) => layer.ForwardEpilogue(x, null, slope);
}
