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
    public override Var Forward(Var x) => this.ForwardChannelBias(x);

    /// <inheritdoc />
    public Var ForwardWithoutBias(Var x) => MatMul(x, Weight, transposeB: true);

    /// <summary>
    /// act((x W^T + residual) + b) stored once by the product's own launch (<see cref="Functional.MatMulBiasActivation"/>);
    /// x [..., in] of another rank than 2 is flattened to rows and back (views).
    /// </summary>
    public Var ForwardEpilogue(Var x, Var? residual, double? slope)
    {
        if (x.Shape.Rank == 2) return MatMulBiasActivation(x, Weight, Bias, residual, slope, transposeB: true);
        int features = x.Shape.Rank == 0 ? 1 : x.Shape[-1];
        var rows = Reshape(x, -1, features);
        var y = MatMulBiasActivation(rows, Weight, Bias, residual is null ? null : Reshape(residual, -1, Weight.Shape[0]), slope, transposeB: true);
        return Reshape(y, [.. x.Shape.ToArray()[..^1], Weight.Shape[0]]);
    }
}
