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
    /// <paramref name="slope"/> (at least 0; null for none). This default composes the separate ops, the bias and the
    /// activation in one <see cref="Functional.BiasLeakyRelu"/> launch; a layer whose kernel can apply all of it as it
    /// stores its output (<see cref="Conv3d"/>) overrides it with the same values.
    /// </summary>
    Var ForwardEpilogue(Var x, Var? residual, double? slope) => BiasedLayers.ComposeEpilogue(this, x, residual, slope);
}

/// <summary>The usual forms of a biased layer's forward pass.</summary>
public static class BiasedLayers
{
    /// <summary>layer(x) = f(x) + b, the bias broadcast along axis 1.</summary>
    public static Var ForwardChannelBias(this IBiasedLayer layer, Var x) => layer.ForwardEpilogue(x, null, null);

    /// <summary>LeakyReLU(layer(x)), bias and activation in one launch.</summary>
    public static Var ForwardLeakyRelu(this IBiasedLayer layer, Var x, double slope) => layer.ForwardEpilogue(x, null, slope);

    /// <summary>
    /// <see cref="IBiasedLayer.ForwardEpilogue"/> as separate ops: f(x), the residual added, then bias and LeakyReLU in
    /// one <see cref="Functional.BiasLeakyRelu"/> launch (or the bias alone, or the activation alone).
    /// </summary>
    public static Var ComposeEpilogue(IBiasedLayer layer, Var x, Var? residual, double? slope)
    {
        var y = layer.ForwardWithoutBias(x);
        if (residual is not null) y += residual;
        return (layer.Bias, slope) switch
        {
            ({ } bias, { } s) => Functional.BiasLeakyRelu(y, bias, s),
            ({ } bias, null) => y + Functional.Reshape(bias, [1, -1, .. Enumerable.Repeat(1, y.Shape.Rank - 2)]),
            (null, { } s) => Functional.LeakyRelu(y, s),
            (null, null) => y,
        };
    }
}
