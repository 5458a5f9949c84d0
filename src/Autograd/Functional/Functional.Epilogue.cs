using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    /// <summary>
    /// LeakyReLU(y + b) for a bias <paramref name="bias"/> [C] added along axis 1 of <paramref name="y"/> [B, C, ...]:
    /// the epilogue of a biased layer and its activation in one launch instead of an add and a map, with the same
    /// values bit for bit. Backward: dz = g where out &gt; 0, slope g elsewhere (for slope &gt;= 0 the output is
    /// positive exactly where y + b is, so no pre-activation is kept), dy = dz, db = dz summed over every axis but 1;
    /// one <see cref="LeakyReluGradient"/> launch serves both.
    /// </summary>
    public static Var BiasLeakyRelu(Var y, Var bias, double slope)
    {
        if (!(slope >= 0)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "bias_leaky_relu: the slope must be non-negative (the mask is read from the output)");
        if (y.Shape.Rank < 2 || bias.Shape.Rank != 1 || bias.Shape[0] != y.Shape[1])
            throw new ShapeException($"bias_leaky_relu: a bias [{(y.Shape.Rank < 2 ? "C" : y.Shape[1])}] along axis 1 of {y.Shape}, got {bias.Shape}");
        Tensor output;
        using (var b = bias.Data.Reshape(ChannelAxisShape(y.Shape).ToArray())) output = Ops.BiasLeakyRelu(y.Data, b, slope);
        Var? result = null;
        result = Var.RecordJoint(output, "bias_leaky_relu", [y, bias], (g, needed) =>
        {
            var dz = LeakyReluGradient(result!.Data, g, slope);
            return [needed[0] ? dz : null, needed[1] ? ChannelBiasGradient(dz) : null];
        });
        return result;
    }

    /// <summary>
    /// act((Conv3d(x, w) + residual) + bias) as one convolution launch (cuDNN's ConvolutionBiasActivationForward, with
    /// its residual z): a layer's convolution, bias, residual sum and LeakyReLU (slope &gt;= 0, or null for none) store
    /// their output once, with the same values bit for bit as <see cref="Conv3d(Var, Var, int, int, int[])"/>, an add
    /// and <see cref="BiasLeakyRelu"/>. Backward: dz = <see cref="LeakyReluGradient"/>(out, g) (the mask read from the
    /// output, as by <see cref="BiasLeakyRelu"/>), then the convolution's own rules on dz, the bias gradient dz summed
    /// over every axis but 1, and dz itself for the residual. Bias and residual may be null.
    /// </summary>
    public static Var Conv3dBiasActivation(Var x, Var w, Var? bias, Var? residual = null, double? slope = null, int stride = 1, int padding = 0) =>
        WithEpilogue(epilogue => Ops.Conv3d(x.Data, w.Data, stride, padding, epilogue: epilogue), "conv3d_bias_activation", x, w, bias, residual, slope,
            dz => Conv3dInputGrad(dz, w, x.Shape, stride, padding),
            dz => Conv3dWeightGrad(x, dz, w.Shape[2], stride, padding),
            dz => Conv3dWeightAndBiasGrad(x, dz, w.Shape[2], stride, padding));

    /// <summary>
    /// act((ConvTranspose3d(y, w) + residual) + bias) as one launch: <see cref="Conv3dBiasActivation"/> for the
    /// transposed convolution (the generator's layers), with its output padding per axis.
    /// </summary>
    public static Var ConvTranspose3dBiasActivation(Var y, Var w, Var? bias, Var? residual, double? slope, int stride, int padding, int[] outputPadding) =>
        WithEpilogue(epilogue => Ops.ConvTranspose3d(y.Data, w.Data, stride, padding, outputPadding, epilogue), "conv_transpose3d_bias_activation", y, w, bias, residual, slope,
            dz => Conv3d(dz, w, stride, padding, y.Shape.SpatialExtents()),
            dz => Conv3dWeightGrad(dz, y, w.Shape[2], stride, padding));

    /// <summary>
    /// A linear op of (input, weight) computed with <paramref name="forward"/>'s epilogue, recorded with the epilogue's
    /// backward: dz = the activation's gradient read from the output, then the op's own rules for its input and weight
    /// (<paramref name="inputGrad"/>, <paramref name="weightGrad"/>) applied to dz, the bias's channel sum and dz for the
    /// residual. Where both the weight's and the bias's gradients are needed, <paramref name="weightAndBiasGrad"/> (when
    /// given) gives them from one launch.
    /// </summary>
    private static Var WithEpilogue(Func<LayerEpilogue, Tensor> forward, string op, Var input, Var weight, Var? bias, Var? residual, double? slope,
        Func<Var, Var> inputGrad, Func<Var, Var> weightGrad, Func<Var, (Var Weight, Var Bias)>? weightAndBiasGrad = null)
    {
        var output = forward(new LayerEpilogue(bias?.Data, residual?.Data, slope));
        Var[] inputs = [input, weight, .. bias is null ? Array.Empty<Var>() : [bias], .. residual is null ? Array.Empty<Var>() : [residual]];
        int biasAt = bias is null ? -1 : 2, residualAt = residual is null ? -1 : inputs.Length - 1;
        Var? result = null;
        result = Var.RecordJoint(output, op, inputs, (g, needed) =>
        {
            var dz = slope is { } s ? LeakyReluGradient(result!.Data, g, s) : Alias(g);
            var grads = new Var?[inputs.Length];
            if (needed[0]) grads[0] = inputGrad(dz);
            if (needed[1] && biasAt >= 0 && needed[biasAt] && weightAndBiasGrad is not null) (grads[1], grads[biasAt]) = weightAndBiasGrad(dz);
            else
            {
                if (needed[1]) grads[1] = weightGrad(dz);
                if (biasAt >= 0 && needed[biasAt]) grads[biasAt] = ChannelBiasGradient(dz);
            }
            if (residualAt >= 0 && needed[residualAt]) grads[residualAt] = dz;
            return grads;
        });
        return result;
    }

    /// <summary>The gradient of a bias [C] added along axis 1 of an output whose gradient is <paramref name="dz"/> [B, C, ...]: dz summed over every other axis.</summary>
    private static Var ChannelBiasGradient(Var dz) => Reshape(SumTo(dz, ChannelAxisShape(dz.Shape)), dz.Shape[1]);

    /// <summary>[1, C, 1, 1, ...] for a tensor [B, C, ...]: the shape a per-channel value broadcasts from.</summary>
    private static Shape ChannelAxisShape(Shape x)
    {
        var along = Enumerable.Repeat(1, x.Rank).ToArray();
        along[1] = x[1];
        return new Shape(along);
    }
}
