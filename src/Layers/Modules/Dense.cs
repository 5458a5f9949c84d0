using VoxelGan.Autograd;
using VoxelGan.Tensors;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Layers;

/// <summary>Fully connected layer y = x W^T + b, W [out, in] (PyTorch's <c>Linear</c> layout), orthogonal W, zero b.</summary>
public sealed class Dense : Layer, IBiasedLayer
{
    /// <summary>Creates the layer with its initial weights drawn from <paramref name="rng"/>.</summary>
    public Dense(int inFeatures, int outFeatures, RandomGenerator rng, DType dtype = DType.Float32, Device? device = null, bool bias = true)
    {
        Weight = AddParameter("weight", Initializers.Orthogonal(new Shape(outFeatures, inFeatures), rng, dtype: dtype, device: device));
        Bias = bias ? AddParameter("bias", Initializers.Zeros(new Shape(outFeatures), dtype, device)) : null;
    }

    /// <summary>[out, in].</summary>
    public Var Weight { get; }

    /// <summary>[out], or null.</summary>
    public Var? Bias { get; }

    /// <inheritdoc />
    public override Var Forward(Var x)
    {
        var y = ForwardWithoutBias(x);
        return Bias is null ? y : y + Bias;
    }

    /// <inheritdoc />
    public Var ForwardWithoutBias(Var x) => MatMul(x, Weight, transposeB: true);
}
