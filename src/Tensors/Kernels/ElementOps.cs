using System.Numerics;

namespace VoxelGan.Tensors.Kernels;

/// <summary>A unary elementwise function y = f(x; s) with an optional scalar parameter s.</summary>
public interface IUnaryOp
{
    /// <summary>Computes f(x; s).</summary>
    T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>A binary elementwise function y = f(a, b).</summary>
public interface IBinaryOp
{
    /// <summary>Computes f(a, b).</summary>
    T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
}

#pragma warning disable CS1591 // each op's formula is its one-line body
public struct Identity : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x; }
public struct Negate : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => -x; }
public struct Exp : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x); }
public struct Log : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x); }
public struct Sqrt : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x); }
public struct Tanh : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x); }
public struct Abs : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x); }
public struct Sign : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero; }
public struct Square : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x * x; }
public struct Reciprocal : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.One / x; }
/// <summary>1 / (1 + exp(-x)).</summary>
public struct Sigmoid : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x)); }
/// <summary>x for x &gt; 0, s*x otherwise (s is the negative slope).</summary>
public struct LeakyRelu : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : s * x; }
/// <summary>1 for x &gt; 0, s otherwise: the derivative of <see cref="LeakyRelu"/>.</summary>
public struct LeakyReluSlope : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : s; }
public struct AddScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x + s; }
public struct MulScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x * s; }
/// <summary>x^s.</summary>
public struct PowScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(x, s); }
/// <summary>s / x (scalar divided by tensor).</summary>
public struct RDivScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => s / x; }
public struct MaxScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > s ? x : s; }
public struct MinScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x < s ? x : s; }
/// <summary>1 where x &gt; s, else 0.</summary>
public struct GreaterScalar : IUnaryOp { public T Apply<T>(T x, T s) where T : unmanaged, IFloatingPointIeee754<T> => x > s ? T.One : T.Zero; }

public struct Add : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b; }
public struct Subtract : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b; }
public struct Multiply : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b; }
public struct Divide : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b; }
/// <summary>a^b.</summary>
public struct Power : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b); }
/// <summary>max(a, b); NaN if either is NaN.</summary>
public struct Maximum : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || a > b ? a : b; }
/// <summary>min(a, b); NaN if either is NaN.</summary>
public struct Minimum : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || a < b ? a : b; }
/// <summary>1 where a &gt; b, else 0.</summary>
public struct Greater : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a > b ? T.One : T.Zero; }
/// <summary>1 where a == b, else 0.</summary>
public struct EqualTo : IBinaryOp { public T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a == b ? T.One : T.Zero; }
#pragma warning restore CS1591
