using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>
/// 3D convolution layer: y = Conv3d(x, W) + b, W [out, in, k, k, k], b [out] (PyTorch's layout).
/// <c>padding: -1</c> means 'same' for stride 1 (p = (k - 1) / 2, k odd).
/// </summary>
public sealed class Conv3d : Layer, IBiasedLayer
{
    /// <summary>Creates the layer with orthogonal weights and zero bias.</summary>
    public Conv3d(int inChannels, int outChannels, int kernel, RandomGenerator rng, int stride = 1, int padding = -1,
        DType dtype = DType.Float32, Device? device = null)
    {
        if (padding < 0)
        {
            if (kernel % 2 == 0) throw new ArgumentException($"'same' padding needs an odd kernel, got {kernel}");
            padding = (kernel - 1) / 2;
        }
        (Kernel, Stride, Padding) = (kernel, stride, padding);
        Weight = AddParameter("weight", Initializers.Orthogonal(new Shape(outChannels, inChannels, kernel, kernel, kernel), rng, dtype: dtype, device: device));
        Bias = AddParameter("bias", Initializers.Zeros(new Shape(outChannels), dtype, device));
    }

#pragma warning disable CS1591
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public Var Weight { get; }
    public Var Bias { get; }
#pragma warning restore CS1591

    Var? IBiasedLayer.Bias => Bias;

    /// <summary>
    /// Whether an <see cref="Upsample3d"/> by <paramref name="factor"/> before this layer can run fused with it
    /// (<see cref="Functional.UpsampleConv3d"/>: factor 2, kernel 3, stride 1, padding 1).
    /// </summary>
    public bool FusesUpsample(int factor) => factor == 2 && Kernel == 3 && Stride == 1 && Padding == 1;

    /// <inheritdoc />
    public override Var Forward(Var x) => this.ForwardChannelBias(x);

    /// <inheritdoc />
    public Var ForwardWithoutBias(Var x) => Functional.Conv3d(x, Weight, Stride, Padding);

    /// <summary>act((conv(x) + residual) + b) stored once by the convolution's own launch (<see cref="Functional.Conv3dBiasActivation"/>).</summary>
    public Var ForwardEpilogue(Var x, Var? residual, double? slope) =>
        Functional.Conv3dBiasActivation(x, Weight, Bias, residual, slope, Stride, Padding);
}
