using System.Numerics;
using System.Runtime.Intrinsics;

namespace VoxelGan.Tensors.Kernels;

/// <summary>A unary elementwise function y = f(x; s) with an optional scalar parameter s.</summary>
public interface IUnaryOp
{
    /// <summary>Computes f(x; s).</summary>
    T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Computes f on every lane, bit for bit as <see cref="Apply{T}(T, T)"/> (the host backend's SIMD loop).</summary>
    Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>A binary elementwise function y = f(a, b; s) with an optional scalar parameter s.</summary>
public interface IBinaryOp
{
    /// <summary>Computes f(a, b; s).</summary>
    T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Computes f on every lane, bit for bit as <see cref="Apply{T}(T, T, T)"/> (the host backend's SIMD loop).</summary>
    Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Lane-by-lane evaluation for ops whose function has no SIMD form (exp, log, tanh, pow).</summary>
public static class Lanes
{
    /// <summary>f(x_l; s_l) for every lane l.</summary>
    public static Vector512<T> Map<T, TOp>(Vector512<T> x, Vector512<T> s, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp
    {
        Span<T> r = stackalloc T[Vector512<T>.Count];
        for (int l = 0; l < r.Length; l++) r[l] = op.Apply(x.GetElement(l), s.GetElement(l));
        return Vector512.Create<T>(r);
    }

    /// <summary>f(a_l, b_l; s_l) for every lane l.</summary>
    public static Vector512<T> Zip<T, TOp>(Vector512<T> a, Vector512<T> b, Vector512<T> s, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp
    {
        Span<T> r = stackalloc T[Vector512<T>.Count];
        for (int l = 0; l < r.Length; l++) r[l] = op.Apply(a.GetElement(l), b.GetElement(l), s.GetElement(l));
        return Vector512.Create<T>(r);
    }

    /// <summary>1 where the mask lane is set, else 0.</summary>
    public static Vector512<T> Indicator<T>(Vector512<T> mask) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(mask, Vector512<T>.One, Vector512<T>.Zero);
}

#pragma warning disable CS1591 // each op's formula is its one-line body
public struct Negate : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}
public struct Exp : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Map(x, s, this);
}
public struct Log : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x);
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Map(x, s, this);
}
public struct Sqrt : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Sqrt(x);
}
public struct Tanh : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Map(x, s, this);
}
public struct Abs : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Abs(x);
}
public struct Sign : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Indicator<T>(Vector512.GreaterThan(x, Vector512<T>.Zero)) - Lanes.Indicator<T>(Vector512.LessThan(x, Vector512<T>.Zero));
}
public struct Square : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x * x;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => x * x;
}
public struct Reciprocal : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.One / x;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512<T>.One / x;
}
/// <summary>1 / (1 + exp(-x)).</summary>
public struct Sigmoid : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Map(x, s, this);
}
/// <summary>x for x &gt; 0, s*x otherwise (s is the negative slope).</summary>
public struct LeakyRelu : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : s * x;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, s * x);
}
public struct AddScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x + s;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => x + s;
}
public struct MulScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x * s;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => x * s;
}
/// <summary>x^s.</summary>
public struct PowScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(x, s);
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Map(x, s, this);
}
/// <summary>s / x (scalar divided by tensor).</summary>
public struct RDivScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => s / x;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => s / x;
}
public struct MaxScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > s ? x : s;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.GreaterThan(x, s), x, s);
}
public struct MinScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x < s ? x : s;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.LessThan(x, s), x, s);
}
/// <summary>1 where x &gt; s, else 0.</summary>
public struct GreaterScalar : IUnaryOp
{
    public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > s ? T.One : T.Zero;
    public Vector512<T> Apply<T>(Vector512<T> x, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Indicator<T>(Vector512.GreaterThan(x, s));
}

public struct Add : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
}
public struct Subtract : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
}
public struct Multiply : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
}
public struct Divide : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
}
/// <summary>a^b.</summary>
public struct Power : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b);
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Zip(a, b, s, this);
}
/// <summary>max(a, b); NaN if either is NaN.</summary>
public struct Maximum : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || a > b ? a : b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.IsNaN(a) | Vector512.GreaterThan(a, b), a, b);
}
/// <summary>min(a, b); NaN if either is NaN.</summary>
public struct Minimum : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || a < b ? a : b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.IsNaN(a) | Vector512.LessThan(a, b), a, b);
}
/// <summary>1 where a &gt; b, else 0.</summary>
public struct Greater : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a > b ? T.One : T.Zero;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Indicator<T>(Vector512.GreaterThan(a, b));
}
/// <summary>1 where a == b, else 0.</summary>
public struct EqualTo : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a == b ? T.One : T.Zero;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Lanes.Indicator<T>(Vector512.Equals(a, b));
}
/// <summary>a + s (b - a): a moved the fraction s of the way towards b (a moving average's update in one pass).</summary>
public struct Lerp : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a + s * (b - a);
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => a + s * (b - a);
}
/// <summary>
/// b where a &gt; 0, s*b otherwise: the gradient b of a LeakyReLU with negative slope s carried back through it, where a
/// is the LeakyReLU's input (or its output: for s &gt; 0 both have the same sign). One launch instead of a slope
/// map and a product.
/// </summary>
public struct LeakyReluGradient : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> => a > T.Zero ? b : s * b;
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<T>.Zero), b, s * b);
}
/// <summary>
/// (a + b) where a + b &gt; 0, s (a + b) otherwise: a bias b added and a LeakyReLU of negative slope s applied in one
/// pass (the epilogue of a biased layer followed by its activation; the sum is rounded once, as by an add and then
/// the activation).
/// </summary>
public struct BiasLeakyRelu : IBinaryOp
{
    public T Apply<T>(T a, T b, T s) where T : unmanaged, IFloatingPointIeee754<T> { T z = a + b; return z > T.Zero ? z : s * z; }
    public Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b, Vector512<T> s) where T : unmanaged, IFloatingPointIeee754<T> { var z = a + b; return Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<T>.Zero), z, s * z); }
}
#pragma warning restore CS1591
