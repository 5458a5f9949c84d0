using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

/// <summary>
/// Differentiable operations on <see cref="Var"/>s. Each forward calls the tensor op of the same name
/// and records, right beside it, one backward rule per input written with these same operations
/// (PyTorch's derivatives.yaml in C#), so that gradients can be differentiated again.
/// Binary operations broadcast; their rules sum the gradient back to each operand's shape.
/// </summary>
public static partial class Functional
{
    /// <summary>A Var that never receives or passes gradients (masks, targets, random draws).</summary>
    public static Var Constant(Tensor value) => new(value);

    /// <summary>A second Var over the same storage (no copy); gradients pass through unchanged.</summary>
    public static Var Alias(Var x) => Reshape(x, x.Shape.ToArray());

    // d(a+b) = g, g
    public static Var Add(Var a, Var b) => Var.Record(Ops.Add(a.Data, b.Data), "add", [a, b],
        g => SumTo(g, a.Shape),
        g => SumTo(g, b.Shape));

    // d(a-b) = g, -g
    public static Var Sub(Var a, Var b) => Var.Record(Ops.Sub(a.Data, b.Data), "sub", [a, b],
        g => SumTo(g, a.Shape),
        g => SumTo(Neg(g), b.Shape));

    // d(ab) = g b, g a
    public static Var Mul(Var a, Var b) => Var.Record(Ops.Mul(a.Data, b.Data), "mul", [a, b],
        g => SumTo(g * b, a.Shape),
        g => SumTo(g * a, b.Shape));

    // d(a/b) = g / b, -g a / b^2 = -g y / b
    public static Var Div(Var a, Var b) =>
        Var.Record(Ops.Div(a.Data, b.Data), "div", [a, b],
            (g, _) => SumTo(g / b, a.Shape),
            (g, y) => SumTo(Neg(g * y / b), b.Shape));

    // d(a^b) = g b a^(b-1), g y ln a
    public static Var Pow(Var a, Var b) =>
        Var.Record(Ops.Pow(a.Data, b.Data), "pow", [a, b],
            (g, _) => SumTo(g * b * Pow(a, b - 1.0), a.Shape),
            (g, y) => SumTo(g * y * Log(a), b.Shape));

    // max(a, b): the gradient goes to the larger operand; ties split it evenly.
    public static Var Maximum(Var a, Var b) => Var.Record(Ops.Maximum(a.Data, b.Data), "maximum", [a, b],
        g => SumTo(g * Constant(WinnerMask(a.Data, b.Data)), a.Shape),
        g => SumTo(g * Constant(WinnerMask(b.Data, a.Data)), b.Shape));

    // min(a, b) = -max(-a, -b)
    public static Var Minimum(Var a, Var b) => Var.Record(Ops.Minimum(a.Data, b.Data), "minimum", [a, b],
        g => SumTo(g * Constant(WinnerMask(b.Data, a.Data)), a.Shape),
        g => SumTo(g * Constant(WinnerMask(a.Data, b.Data)), b.Shape));

    /// <summary>1 where a &gt; b, 1/2 where a == b, 0 elsewhere (broadcast shape).</summary>
    private static Tensor WinnerMask(Tensor a, Tensor b)
    {
        using var greater = Ops.Greater(a, b);
        using var equal = Ops.Equal(a, b);
        using var half = Ops.MulScalar(equal, 0.5);
        return Ops.Add(greater, half);
    }

    public static Var Neg(Var x) => Var.Record(Ops.Neg(x.Data), "neg", [x], g => Neg(g));

    // d exp(x) = g y
    public static Var Exp(Var x) =>
        Var.Record(Ops.Exp(x.Data), "exp", [x], (g, y) => g * y);

    // d ln x = g / x
    public static Var Log(Var x) => Var.Record(Ops.Log(x.Data), "log", [x], g => g / x);

    // d sqrt(x) = g / (2 y)
    public static Var Sqrt(Var x) =>
        Var.Record(Ops.Sqrt(x.Data), "sqrt", [x], (g, y) => g * RDivScalar(0.5, y));

    // d tanh(x) = g (1 - y^2)
    public static Var Tanh(Var x) =>
        Var.Record(Ops.Tanh(x.Data), "tanh", [x], (g, y) => g * (1.0 - Square(y)));

    // d sigmoid(x) = g y (1 - y)
    public static Var Sigmoid(Var x) =>
        Var.Record(Ops.Sigmoid(x.Data), "sigmoid", [x], (g, y) => g * y * (1.0 - y));

    // d x^2 = 2 g x
    public static Var Square(Var x) => Var.Record(Ops.Square(x.Data), "square", [x], g => g * x * 2.0);

    // d (1/x) = -g y^2
    public static Var Reciprocal(Var x) =>
        Var.Record(Ops.Reciprocal(x.Data), "reciprocal", [x], (g, y) => Neg(g * Square(y)));

    // d |x| = g sign(x) (0 at 0)
    public static Var Abs(Var x) => Var.Record(Ops.Abs(x.Data), "abs", [x], g => g * Constant(Ops.Sign(x.Data)));

    // d leaky(x) = g (x > 0 ? 1 : slope), in one launch.
    public static Var LeakyRelu(Var x, double slope) => Var.Record(Ops.LeakyRelu(x.Data, slope), "leaky_relu", [x],
        g => LeakyReluGradient(x.Data, g, slope));

    /// <summary>
    /// A gradient <paramref name="g"/> carried back through a LeakyReLU whose input was <paramref name="x"/>: g where
    /// x &gt; 0, slope g elsewhere. Linear in g, so its own backward is itself; x enters only through a mask that is
    /// constant almost everywhere (derivative 0), so it is not an input of the graph.
    /// </summary>
    public static Var LeakyReluGradient(Tensor x, Var g, double slope)
    {
        Shape.CheckSame(x.Shape, g.Shape, "leaky_relu_gradient");
        return Var.Record(Ops.LeakyReluGradient(x, g.Data, slope), "leaky_relu_gradient", [g], gg => LeakyReluGradient(x, gg, slope));
    }

    public static Var AddScalar(Var x, double s) => Var.Record(Ops.AddScalar(x.Data, s), "add_scalar", [x], g => Alias(g));

    public static Var MulScalar(Var x, double s) => Var.Record(Ops.MulScalar(x.Data, s), "mul_scalar", [x], g => g * s);

    /// <summary>
    /// Identity forward; backward multiplies the incoming gradient by <paramref name="factor"/>. One backward
    /// pass can so carry a different loss scale on each side of a boundary (mixed precision with one scaler
    /// per optimizer). It is the derivative of a function only for factor 1: its check compares with factor
    /// times the identity's finite differences.
    /// </summary>
    public static Var ScaleGradient(Var x, double factor) =>
        Var.Record(Ops.Clone(x.Data), "scale_gradient", [x], g => g * factor);

    // d x^p = g p x^(p-1)
    public static Var PowScalar(Var x, double p) => Var.Record(Ops.PowScalar(x.Data, p), "pow_scalar", [x],
        g => g * PowScalar(x, p - 1) * p);

    // d (s/x) = -g s / x^2
    public static Var RDivScalar(double s, Var x) => Var.Record(Ops.RDivScalar(s, x.Data), "rdiv_scalar", [x],
        g => Neg(g * Reciprocal(Square(x)) * s));

    // d max(x, m) = g where x > m
    public static Var ClampMin(Var x, double min) => Var.Record(Ops.ClampMin(x.Data, min), "clamp_min", [x],
        g => g * Constant(Ops.GreaterThan(x.Data, min)));

    // d min(x, m) = g where x < m
    public static Var ClampMax(Var x, double max) => Var.Record(Ops.ClampMax(x.Data, max), "clamp_max", [x], g =>
    {
        using var negated = Ops.Neg(x.Data);
        return g * Constant(Ops.GreaterThan(negated, -max));
    });
}
