using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>
    /// 3D convolution of x [N, Cin, D, H, W] with w [Cout, Cin, K, K, K] (see <see cref="ConvGeometry"/>), passed through
    /// <paramref name="epilogue"/> (a bias, a residual, a LeakyReLU) in the same launch; output extents by PyTorch's
    /// rule, or <paramref name="outputExtents"/> (D, H, W) (see <see cref="Shape.Conv3d"/>).
    /// </summary>
    public static Tensor Conv3d(Tensor x, Tensor w, int stride = 1, int padding = 0, int[]? outputExtents = null, LayerEpilogue epilogue = default)
    {
        RequireCompatible(x, w, nameof(Conv3d));
        var yShape = Shape.Conv3d(x.Shape, w.Shape, stride, padding, outputExtents);
        CheckEpilogue(epilogue, yShape, x, nameof(Conv3d));
        var g = ConvGeometry.Create(x.Shape, yShape, w.Shape[2], stride, padding);
        var y = Tensor.Empty(yShape, x.DType, x.Device);
        if (y.Numel > 0) x.Device.Backend.Conv3d(x, w, y, g, epilogue);
        return y;
    }

    /// <summary>An epilogue fits an output of <paramref name="y"/>: a bias [C], a residual of shape y, both of x's dtype and device, a slope of at least 0.</summary>
    private static void CheckEpilogue(LayerEpilogue e, Shape y, Tensor x, string op)
    {
        if (e.Bias is { } bias)
        {
            RequireCompatible(x, bias, op);
            if (bias.Shape.Rank != 1 || bias.Shape[0] != y[1])
                throw new ShapeException($"{op}: the bias must be [{y[1]}] (one per output channel), got {bias.Shape}");
        }
        if (e.Residual is { } residual)
        {
            RequireCompatible(x, residual, op);
            if (!residual.Shape.Equals(y)) throw new ShapeException($"{op}: the residual must have the output's shape {y}, got {residual.Shape}");
        }
        if (e.Slope is { } slope && !(slope >= 0 && double.IsFinite(slope)))
            throw new ArgumentOutOfRangeException(nameof(e), slope, $"{op}: LeakyReLU's slope must be finite and at least 0");
    }

    /// <summary>
    /// Transposed 3D convolution of y [N, Cin, D, H, W] with w [Cin, Cout, K, K, K] (PyTorch's layout and
    /// output size (n - 1) s - 2p + K + outputPadding); the adjoint of <see cref="Conv3d"/>.
    /// </summary>
    public static Tensor ConvTranspose3d(Tensor y, Tensor w, int stride = 1, int padding = 0, int outputPadding = 0) =>
        ConvTranspose3d(y, w, stride, padding, [outputPadding, outputPadding, outputPadding]);

    /// <summary>
    /// <see cref="ConvTranspose3d(Tensor, Tensor, int, int, int)"/> with an output padding per spatial axis (D, H, W),
    /// passed through <paramref name="epilogue"/> in the same launch (see <see cref="Conv3d"/>).
    /// </summary>
    public static Tensor ConvTranspose3d(Tensor y, Tensor w, int stride, int padding, int[] outputPadding, LayerEpilogue epilogue = default)
    {
        RequireCompatible(y, w, nameof(ConvTranspose3d));
        var xShape = Shape.ConvTranspose3d(y.Shape, w.Shape, stride, padding, outputPadding);
        CheckEpilogue(epilogue, xShape, y, nameof(ConvTranspose3d));
        var g = ConvGeometry.Create(xShape, y.Shape, w.Shape[2], stride, padding);
        var x = Tensor.Empty(xShape, y.DType, y.Device);
        if (x.Numel > 0) y.Device.Backend.ConvTranspose3d(y, w, x, g, epilogue);
        return x;
    }

    /// <summary>
    /// The weight gradient of <see cref="Conv3d"/>: w [Cy, Cx, K, K, K] from the fine tensor x
    /// [N, Cx, ...] and the coarse tensor y [N, Cy, ...], whose extents must fit x (<see cref="Shape.CheckConvExtents"/>).
    /// </summary>
    public static Tensor Conv3dWeightGrad(Tensor x, Tensor y, int kernel, int stride = 1, int padding = 0) =>
        WeightGradient(x, y, kernel, stride, padding, biasSums: false, nameof(Conv3dWeightGrad), out _);

    /// <summary>
    /// <see cref="Conv3dWeightGrad"/> and the bias gradient of the same convolution, y summed over batch and voxels per
    /// channel [Cy], from one sweep over y (the weight gradient's kernel runs one tap row more, reading 1). Both are
    /// views of one buffer [Cy Cx K^3 + Cy], weights first.
    /// </summary>
    public static (Tensor Weight, Tensor Bias) Conv3dWeightAndBiasGrad(Tensor x, Tensor y, int kernel, int stride = 1, int padding = 0)
    {
        using var both = WeightGradient(x, y, kernel, stride, padding, biasSums: true, nameof(Conv3dWeightAndBiasGrad), out var wShape);
        return (both.Segment(0, wShape), both.Segment(wShape.Numel, new Shape(y.Shape[1])));
    }

    /// <summary>
    /// The weight gradient w [Cy, Cx, K, K, K] (<paramref name="wShape"/>) of x and y, checked and launched; with
    /// <paramref name="biasSums"/> a flat buffer that continues with the Cy sums of y (<see cref="ConvGeometry.BiasSums"/>).
    /// </summary>
    private static Tensor WeightGradient(Tensor x, Tensor y, int kernel, int stride, int padding, bool biasSums, string op, out Shape wShape)
    {
        RequireCompatible(x, y, op);
        Shape.CheckConvExtents(op, x.Shape, y.Shape, kernel, stride, padding);
        wShape = new Shape(y.Shape[1], x.Shape[1], kernel, kernel, kernel);
        var g = ConvGeometry.Create(x.Shape, y.Shape, kernel, stride, padding);
        g.BiasSums = biasSums ? 1 : 0;
        var w = Tensor.Empty(biasSums ? new Shape(wShape.Numel + y.Shape[1]) : wShape, x.DType, x.Device);
        if (w.Numel == 0) return w;
        if (y.Numel == 0) x.Device.Backend.Fill(w, 0);
        else x.Device.Backend.Conv3dWeightGrad(x, y, w, g);
        return w;
    }

    /// <summary>Average pooling of x [N, C, D, H, W] over non-overlapping windows of edge k, times <paramref name="scale"/> (the window's sum times scale / k^3, one rounding).</summary>
    public static Tensor AvgPool3d(Tensor x, int k, double scale = 1)
    {
        RequireCompute(x, nameof(AvgPool3d));
        var yShape = Shape.Pool3d(x.Shape, k);
        var y = Tensor.Empty(yShape, x.DType, x.Device);
        // The pooling kernels read only the spatial extents and K: batch and channels form one axis.
        if (y.Numel > 0) x.Device.Backend.AvgPool3d(x, y, ConvGeometry.Create(x.Shape, yShape, k, k, 0), scale / (k * k * k));
        return y;
    }

    /// <summary>Nearest-neighbour upsampling of y [N, C, D, H, W] by k, times <paramref name="scale"/> (1/k^3 gives the adjoint of <see cref="AvgPool3d"/>).</summary>
    public static Tensor Upsample3d(Tensor y, int k, double scale)
    {
        RequireCompute(y, nameof(Upsample3d));
        if (y.Rank != 5) throw new ShapeException($"Upsample3d: input {y.Shape} is not [N, C, D, H, W]");
        if (k < 1) throw new ShapeException($"Upsample3d: factor {k} must be at least 1");
        var xShape = new Shape(y.Shape[0], y.Shape[1], y.Shape[2] * k, y.Shape[3] * k, y.Shape[4] * k);
        var x = Tensor.Empty(xShape, y.DType, y.Device);
        if (x.Numel > 0) y.Device.Backend.Upsample3d(y, x, ConvGeometry.Create(xShape, y.Shape, k, k, 0), scale);
        return x;
    }
}
