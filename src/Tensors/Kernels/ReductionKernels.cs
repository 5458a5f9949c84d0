using System.Numerics;
using System.Runtime.Intrinsics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>An associative reduction with an identity element.</summary>
public interface IReduceOp
{
    /// <summary>The identity e with combine(e, x) = x.</summary>
    T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Combines two partial results.</summary>
    T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Combines partial results lane by lane (the host backend's SIMD loop).</summary>
    Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
}

#pragma warning disable CS1591
/// <summary>Sum: identity 0.</summary>
public struct SumReduce : IReduceOp
{
    public T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;
    public T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
}

/// <summary>Maximum: identity -inf; NaN propagates.</summary>
public struct MaxReduce : IReduceOp
{
    public T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.NegativeInfinity;
    public T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || a > b ? a : b;
    public Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.IsNaN(a) | Vector512.GreaterThan(a, b), a, b);
}

/// <summary>Minimum: identity +inf; NaN propagates.</summary>
public struct MinReduce : IReduceOp
{
    public T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.PositiveInfinity;
    public T Combine<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.IsNaN(a) || a < b ? a : b;
    public Vector512<T> Combine<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.IsNaN(a) | Vector512.LessThan(a, b), a, b);
}
#pragma warning restore CS1591

/// <summary>Reductions along one axis of a tensor viewed as (outer, length, inner).</summary>
public static class ReductionKernels
{
    /// <summary>
    /// <c>y[o*inner + j] = reduce_{k &lt; length, (o*length + k)*inner + j &lt; count} x[(o*length + k)*inner + j]</c>
    /// for o &lt; outer, j &lt; inner. Threads walk over outputs; consecutive threads read consecutive
    /// j (coalesced). <paramref name="count"/> lets the last row of a reshaped 1-D input be partial:
    /// a full reduction of n elements is two calls, (1, ceil(n/P), P) into P partials, then (1, P, 1).
    /// </summary>
    public static void Axis<T, TOp>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> y,
        int length, int inner, int count, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        for (int r = thread; r < y.IntLength; r += threads)
        {
            int o = r / inner, j = r - o * inner;
            T acc = op.Identity<T>();
            int start = o * length * inner + j;
            for (int k = 0; k < length; k++)
            {
                int idx = start + k * inner;
                if (idx < count) acc = op.Combine(acc, x[idx]);
            }
            y[r] = acc;
        }
    }
}
