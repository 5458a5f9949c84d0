using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>
/// Transposed 3D convolution layer: W [in, out, k, k, k], b [out] (PyTorch's layout and output size
/// (n - 1) s - 2p + k + outputPadding, where a negative outputPadding crops the end). <see cref="Same"/>
/// builds the 'same' variant (output exactly input x stride) in TensorFlow's convention, the authors'
/// generator's, or PyTorch's.
/// </summary>
public sealed class ConvTranspose3d : Layer, IBiasedLayer
{
    /// <summary>Creates the layer with orthogonal weights and zero bias.</summary>
    public ConvTranspose3d(int inChannels, int outChannels, int kernel, RandomGenerator rng, int stride = 1, int padding = 0,
        int outputPadding = 0, DType dtype = DType.Float32, Device? device = null)
    {
        (Kernel, Stride, Padding, OutputPadding) = (kernel, stride, padding, outputPadding);
        Weight = AddParameter("weight", Initializers.Orthogonal(new Shape(inChannels, outChannels, kernel, kernel, kernel), rng, dtype: dtype, device: device));
        Bias = AddParameter("bias", Initializers.Zeros(new Shape(outChannels), dtype, device));
    }

    /// <summary>
    /// 'Same' sizing (output = input x stride) in the given <paramref name="convention"/>: padding p and
    /// output padding op solve (n - 1) s - 2p + k + op = n s, i.e. 2p - op = k - s. For k = 3, s = 2:
    /// TensorFlow p 0, op -1; PyTorch p 1, op 1. For k = 1, s = 2^b both give p 0, op s - 1 (each input
    /// voxel lands on every s-th output voxel).
    /// </summary>
    public static ConvTranspose3d Same(int inChannels, int outChannels, int kernel, int stride, RandomGenerator rng,
        DType dtype = DType.Float32, Device? device = null, SameConvention convention = SameConvention.TensorFlow)
    {
        int excess = kernel - stride; // = 2p - op
        int p = excess <= 0 ? 0 : convention == SameConvention.TensorFlow ? excess / 2 : (excess + 1) / 2;
        int op = 2 * p - excess;
        if (op >= stride)
            throw new ArgumentException($"no 'same' transposed convolution for kernel {kernel} and stride {stride}");
        return new ConvTranspose3d(inChannels, outChannels, kernel, rng, stride, p, op, dtype, device);
    }

#pragma warning disable CS1591
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputPadding { get; }
    public Var Weight { get; }
    public Var Bias { get; }
#pragma warning restore CS1591

    Var? IBiasedLayer.Bias => Bias;

    /// <inheritdoc />
    public override Var Forward(Var x) => this.ForwardChannelBias(x);

    /// <inheritdoc />
    public Var ForwardWithoutBias(Var x) => Functional.ConvTranspose3d(x, Weight, Stride, Padding, OutputPadding);

    /// <summary>act((convT(x) + residual) + b) stored once by the transposed convolution's own launch (<see cref="Functional.ConvTranspose3dBiasActivation"/>).</summary>
    public Var ForwardEpilogue(Var x, Var? residual, double? slope) =>
        Functional.ConvTranspose3dBiasActivation(x, Weight, Bias, residual, slope, Stride, Padding, [OutputPadding, OutputPadding, OutputPadding]);
}
