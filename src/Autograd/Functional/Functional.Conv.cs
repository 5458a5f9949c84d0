using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    // Convolution's derivatives close over three ops (as PyTorch's _convolution_double_backward):
    //   y = Conv3d(x, w):            dx = ConvTranspose3d(g, w),  dw = Conv3dWeightGrad(x, g)
    //   x = ConvTranspose3d(y, w):   dy = Conv3d(g, w),           dw = Conv3dWeightGrad(g, y)
    //   w = Conv3dWeightGrad(x, y):  dx = ConvTranspose3d(y, g),  dy = Conv3d(x, g)
    // Biases are broadcast additions (see the layers), so their rules are SumTo.

    // Each rule passes the other side's extents explicitly, so pairs that are not PyTorch-sized
    // (TensorFlow's 'same' transposed convolution) differentiate as well.

    /// <summary>
    /// 3D convolution of x [N, Cin, D, H, W] with w [Cout, Cin, K, K, K], no bias; output extents by
    /// PyTorch's rule or <paramref name="outputExtents"/> (see <see cref="Shape.Conv3d"/>).
    /// </summary>
    public static Var Conv3d(Var x, Var w, int stride = 1, int padding = 0, int[]? outputExtents = null)
    {
        int k = w.Shape[2];
        return Var.Record(Ops.Conv3d(x.Data, w.Data, stride, padding, outputExtents), "conv3d", [x, w],
            (g, _) => Conv3dInputGrad(g, w, x.Shape, stride, padding),
            (g, _) => Conv3dWeightGrad(x, g, k, stride, padding));
    }

    /// <summary>The gradient g [N, Cout, ...] of a convolution with w carried back to its input of shape <paramref name="x"/>: the transposed convolution onto x's extents.</summary>
    private static Var Conv3dInputGrad(Var g, Var w, Shape x, int stride, int padding) =>
        ConvTranspose3d(g, w, stride, padding, Shape.ConvOutputPadding(x, g.Shape, w.Shape[2], stride, padding));

    /// <summary>Transposed 3D convolution of y [N, Cin, D, H, W] with w [Cin, Cout, K, K, K] (PyTorch's definition), no bias.</summary>
    public static Var ConvTranspose3d(Var y, Var w, int stride = 1, int padding = 0, int outputPadding = 0) =>
        ConvTranspose3d(y, w, stride, padding, [outputPadding, outputPadding, outputPadding]);

    /// <summary>Transposed 3D convolution with an output padding per spatial axis (negative crops the end: see <see cref="Shape.ConvTranspose3d"/>).</summary>
    public static Var ConvTranspose3d(Var y, Var w, int stride, int padding, int[] outputPadding)
    {
        int k = w.Shape[2];
        return Var.Record(Ops.ConvTranspose3d(y.Data, w.Data, stride, padding, outputPadding), "conv_transpose3d", [y, w],
            g => Conv3d(g, w, stride, padding, y.Shape.SpatialExtents()),
            g => Conv3dWeightGrad(g, y, k, stride, padding));
    }

    /// <summary>The weight gradient of Conv3d as an op of its own (bilinear in x and y), so it can be differentiated.</summary>
    public static Var Conv3dWeightGrad(Var x, Var y, int kernel, int stride = 1, int padding = 0) =>
        RecordWeightGrad(Ops.Conv3dWeightGrad(x.Data, y.Data, kernel, stride, padding), x, y, kernel, stride, padding);

    /// <summary>
    /// <see cref="Conv3dWeightGrad"/> and the gradient of the convolution's bias, y summed over every axis but the
    /// channels, from one launch (<see cref="Ops.Conv3dWeightAndBiasGrad"/>); each recorded with its own rule, as the
    /// two separate ops would be.
    /// </summary>
    public static (Var Weight, Var Bias) Conv3dWeightAndBiasGrad(Var x, Var y, int kernel, int stride = 1, int padding = 0)
    {
        var (weight, bias) = Ops.Conv3dWeightAndBiasGrad(x.Data, y.Data, kernel, stride, padding);
        var along = ChannelAxisShape(y.Shape);
        return (RecordWeightGrad(weight, x, y, kernel, stride, padding),
                Var.Record(bias, "channel_sum", [y], g => BroadcastTo(Reshape(g, along.ToArray()), y.Shape)));
    }

    private static Var RecordWeightGrad(Tensor data, Var x, Var y, int kernel, int stride, int padding) =>
        Var.Record(data, "conv3d_weight_grad", [x, y],
            g => ConvTranspose3d(y, g, stride, padding, Shape.ConvOutputPadding(x.Shape, y.Shape, kernel, stride, padding)),
            g => Conv3d(x, g, stride, padding, y.Shape.SpatialExtents()));

    // Average pooling and scaled upsampling are each other's adjoints:
    //   <Upsample_s(y), x> = s k^3 <y, AvgPool(x)>.

    /// <summary>Average pooling over non-overlapping windows of edge k, times <paramref name="scale"/> (the scale joins the kernel, so that each adjoint is one launch).</summary>
    public static Var AvgPool3d(Var x, int k, double scale = 1) =>
        Var.Record(Ops.AvgPool3d(x.Data, k, scale), "avg_pool3d", [x], g => Upsample3d(g, k, scale / (k * k * k)));

    /// <summary>Nearest-neighbour upsampling by k, times scale.</summary>
    public static Var Upsample3d(Var y, int k, double scale) =>
        Var.Record(Ops.Upsample3d(y.Data, k, scale), "upsample3d", [y], g => AvgPool3d(g, k, scale * k * k * k));
}
