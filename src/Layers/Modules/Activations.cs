using VoxelGan.Autograd;

namespace VoxelGan.Layers;

/// <summary>Average pooling over non-overlapping windows of edge k.</summary>
public sealed class AvgPool3d(int kernel) : Layer
{
    /// <summary>Window edge (= stride).</summary>
    public int Kernel { get; } = kernel;

    /// <inheritdoc />
    public override Var Forward(Var x) => Functional.AvgPool3d(x, Kernel);
}

/// <summary>Nearest-neighbour upsampling by k: every voxel copied over a k^3 block (the adjoint of <see cref="AvgPool3d"/> up to 1/k^3).</summary>
public sealed class Upsample3d(int factor) : Layer
{
    /// <summary>The upsampling factor k.</summary>
    public int Factor { get; } = factor;

    /// <inheritdoc />
    public override Var Forward(Var x) => Functional.Upsample3d(x, Factor, 1.0);
}

/// <summary>x for x &gt; 0, slope x otherwise.</summary>
public sealed class LeakyRelu(double slope) : Layer
{
    /// <summary>The negative slope (0.2 in the paper, Keras' default 0.3 in the authors' critic).</summary>
    public double Slope { get; } = slope;

    /// <inheritdoc />
    public override Var Forward(Var x) => Functional.LeakyRelu(x, Slope);
}

/// <summary>
/// The generator's output layer: lambda_min + (tanh(x) + 1) / 2 (lambda_max - lambda_min), mapping to
/// the range of the standardized training data (the authors' code; the paper's Eq. 25 prints tanh(x + 1)).
/// </summary>
public sealed class ScaledTanh(double min, double max) : Layer
{
#pragma warning disable CS1591
    public double Min { get; } = min;
    public double Max { get; } = max;
#pragma warning restore CS1591

    /// <inheritdoc />
    public override Var Forward(Var x) => (Functional.Tanh(x) + 1.0) * ((Max - Min) / 2) + Min;
}

/// <summary>Applies layers in order; children are named 0, 1, 2, ... as in PyTorch's <c>Sequential</c>.</summary>
public sealed class Sequential : Layer
{
    private readonly List<Layer> _layers = [];

    /// <summary>Creates the chain.</summary>
    public Sequential(params Layer[] layers)
    {
        foreach (var layer in layers) _layers.Add(AddModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>
    /// Applies the layers in order, fusing where the values allow: a biased layer followed by a LeakyReLU runs as one
    /// epilogue (the same values), and an <see cref="Upsample3d"/> by 2 followed by a kernel-3 'same' <see cref="Conv3d"/>
    /// as one <see cref="Functional.UpsampleConv3d"/> (the same function, up to rounding, at 8/27 of the work).
    /// </summary>
    public override Var Forward(Var x)
    {
        for (int i = 0; i < _layers.Count; i++)
        {
            var (biased, used) = _layers[i] is Upsample3d up && i + 1 < _layers.Count && _layers[i + 1] is Conv3d conv && conv.FusesUpsample(up.Factor)
                ? (new UpsampledConv3d(conv), 2)
                : (_layers[i] as IBiasedLayer, 1);
            if (biased is not null && i + used < _layers.Count && _layers[i + used] is LeakyRelu activation && activation.Slope >= 0)
            {
                x = biased.ForwardLeakyRelu(x, activation.Slope);
                i += used;
            }
            else if (biased is UpsampledConv3d fused)
            {
                x = fused.ForwardChannelBias(x);
                i += 1;
            }
            else x = _layers[i].Forward(x);
        }
        return x;
    }

    /// <summary>Upsample3d(2) then <paramref name="Conv"/>, as one transposed convolution with the folded kernel.</summary>
    private sealed record UpsampledConv3d(Conv3d Conv) : IBiasedLayer
    {
        public Var ForwardWithoutBias(Var x) => Functional.UpsampleConv3d(x, Conv.Weight);

        public Var? Bias => Conv.Bias;

        public Var ForwardEpilogue(Var x, Var? residual, double? slope) => Functional.UpsampleConv3d(x, Conv.Weight, Conv.Bias, residual, slope);
    }
}
