using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>Applies the unary op <typeparamref name="TOp"/> (with scalar parameter <paramref name="s"/>) to every element.</summary>
    public static Tensor Unary<TOp>(Tensor x, double s = 0) where TOp : struct, IUnaryOp
    {
        RequireCompute(x, typeof(TOp).Name);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        if (y.Numel > 0) x.Device.Backend.Map<TOp>(x, y, s);
        return y;
    }

    /// <summary>Applies the binary op <typeparamref name="TOp"/> (with scalar parameter <paramref name="s"/>) with NumPy broadcasting.</summary>
    public static Tensor Binary<TOp>(Tensor a, Tensor b, double s = 0) where TOp : struct, IBinaryOp
    {
        string name = typeof(TOp).Name;
        RequireCompatible(a, b, name);
        var shape = Shape.Broadcast(a.Shape, b.Shape);
        var map = StridedIndex.Create(shape.ToArray(), a.Shape.BroadcastStrides(shape), b.Shape.BroadcastStrides(shape));
        var y = Tensor.Empty(shape, a.DType, a.Device);
        if (y.Numel > 0) a.Device.Backend.Zip<TOp>(a, b, y, map, s);
        return y;
    }

#pragma warning disable CS1591 // each is the op of the same name in Kernels/ElementOps.cs
    public static Tensor Neg(Tensor x) => Unary<Negate>(x);
    public static Tensor Exp(Tensor x) => Unary<Kernels.Exp>(x);
    public static Tensor Log(Tensor x) => Unary<Kernels.Log>(x);
    public static Tensor Sqrt(Tensor x) => Unary<Kernels.Sqrt>(x);
    public static Tensor Tanh(Tensor x) => Unary<Kernels.Tanh>(x);
    public static Tensor Abs(Tensor x) => Unary<Kernels.Abs>(x);
    public static Tensor Sign(Tensor x) => Unary<Kernels.Sign>(x);
    public static Tensor Square(Tensor x) => Unary<Kernels.Square>(x);
    public static Tensor Reciprocal(Tensor x) => Unary<Kernels.Reciprocal>(x);
    public static Tensor Sigmoid(Tensor x) => Unary<Kernels.Sigmoid>(x);
    public static Tensor LeakyRelu(Tensor x, double slope) => Unary<Kernels.LeakyRelu>(x, slope);
    public static Tensor AddScalar(Tensor x, double s) => Unary<Kernels.AddScalar>(x, s);
    public static Tensor MulScalar(Tensor x, double s) => Unary<Kernels.MulScalar>(x, s);
    public static Tensor PowScalar(Tensor x, double exponent) => Unary<Kernels.PowScalar>(x, exponent);
    public static Tensor RDivScalar(double s, Tensor x) => Unary<Kernels.RDivScalar>(x, s);
    public static Tensor ClampMin(Tensor x, double min) => Unary<MaxScalar>(x, min);
    public static Tensor ClampMax(Tensor x, double max) => Unary<MinScalar>(x, max);
    public static Tensor GreaterThan(Tensor x, double s) => Unary<GreaterScalar>(x, s);

    public static Tensor Add(Tensor a, Tensor b) => Binary<Kernels.Add>(a, b);
    public static Tensor Sub(Tensor a, Tensor b) => Binary<Subtract>(a, b);
    public static Tensor Mul(Tensor a, Tensor b) => Binary<Multiply>(a, b);
    public static Tensor Div(Tensor a, Tensor b) => Binary<Divide>(a, b);
    public static Tensor Pow(Tensor a, Tensor b) => Binary<Power>(a, b);
    public static Tensor Maximum(Tensor a, Tensor b) => Binary<Kernels.Maximum>(a, b);
    public static Tensor Minimum(Tensor a, Tensor b) => Binary<Kernels.Minimum>(a, b);
    public static Tensor Greater(Tensor a, Tensor b) => Binary<Kernels.Greater>(a, b);
    public static Tensor Equal(Tensor a, Tensor b) => Binary<EqualTo>(a, b);
    public static Tensor Lerp(Tensor a, Tensor b, double weight) => Binary<Kernels.Lerp>(a, b, weight);
    public static Tensor BiasLeakyRelu(Tensor y, Tensor bias, double slope) => Binary<Kernels.BiasLeakyRelu>(y, bias, slope);
    public static Tensor LeakyReluGradient(Tensor x, Tensor g, double slope) => Binary<Kernels.LeakyReluGradient>(x, g, slope);
#pragma warning restore CS1591
}
