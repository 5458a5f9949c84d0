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

    /// <summary>
    /// <see cref="Axis{T, TOp}"/> with one group per output, for few outputs over long axes (a bias's gradient:
    /// 16 channels, each a sum over 8 x 32^3 voxels, would leave all but 16 threads of a GPU idle and each
    /// walking 262k elements). Group <c>r = Grid.IdxX</c> computes <c>y[r]</c> (r = o*inner + j): thread t of the
    /// G = Group.DimX threads folds k = t, t + G, t + 2G, ... (consecutive threads read consecutive elements when
    /// inner = 1), then a tree in shared memory (G elements, G a power of two) combines the G partial results:
    /// in step h = G/2, G/4, ..., 1, slot t &lt; h takes combine(slot t, slot t + h) (<see cref="GroupTree{T, TOp}"/>). A fixed order, so deterministic,
    /// but not <see cref="Axis{T, TOp}"/>'s, so its sums agree within rounding, not bit for bit.
    /// </summary>
    public static void AxisByGroup<T, TOp>(ArrayView<T> x, ArrayView<T> y, int length, int inner, int count)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        var op = default(TOp);
        var shared = SharedMemory.GetDynamic<T>();
        int size = Group.DimX, t = Group.IdxX, r = Grid.IdxX;
        int o = r / inner, j = r - o * inner;
        int start = o * length * inner + j;
        T acc = op.Identity<T>();
        for (int k = t; k < length; k += size)
        {
            int idx = start + k * inner;
            if (idx < count) acc = op.Combine(acc, x[idx]);
        }
        var result = GroupTree<T, TOp>.Combine(shared, t, size, acc);
        if (t == 0) y[r] = result;
    }

    /// <summary>
    /// <c>y[c] = reduce_{o &lt; outer, j &lt; inner} x[(o*middle + c)*inner + j]</c> with middle = y's length: x viewed
    /// as [outer, middle, inner] reduced over its first and last axes in one launch (a bias's gradient, [N, C, D, H, W]
    /// to [C]). One thread per c, o outer and j inner, ascending.
    /// </summary>
    public static void Around<T, TOp>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> y, int outer, int inner, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        int middle = y.IntLength;
        for (int c = thread; c < middle; c += threads)
        {
            T acc = op.Identity<T>();
            for (int o = 0; o < outer; o++)
            {
                int row = (o * middle + c) * inner;
                for (int j = 0; j < inner; j++) acc = op.Combine(acc, x[row + j]);
            }
            y[c] = acc;
        }
    }

    /// <summary>
    /// <see cref="Around{T, TOp}"/> with one group per output c = Grid.IdxX and part p = Grid.IdxY of P = Grid.DimY (few
    /// channels, each over N x voxels: a single group per channel would leave most of a GPU idle and each thread walking
    /// thousands of elements in sequence): thread t of the G = Group.DimX threads folds the flattened indices
    /// k = o*inner + j = p G + t, p G + t + P G, p G + t + 2 P G, ... (consecutive threads read consecutive voxels), the tree
    /// of <see cref="AxisByGroup{T, TOp}"/> combines the G partial results, and thread 0 writes <c>y[p*middle + c]</c>.
    /// With P = 1 that is the result; with P &gt; 1, y is [P, middle] and the caller reduces it over p.
    /// </summary>
    public static void AroundByGroup<T, TOp>(ArrayView<T> x, ArrayView<T> y, int outer, int middle, int inner)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        var op = default(TOp);
        var shared = SharedMemory.GetDynamic<T>();
        int size = Group.DimX, t = Group.IdxX, c = Grid.IdxX, p = Grid.IdxY, parts = Grid.DimY, count = outer * inner;
        T acc = op.Identity<T>();
        for (int k = p * size + t; k < count; k += size * parts)
        {
            int o = k / inner, j = k - o * inner;
            acc = op.Combine(acc, x[(o * middle + c) * inner + j]);
        }
        var result = GroupTree<T, TOp>.Combine(shared, t, size, acc);
        if (t == 0) y[p * middle + c] = result;
    }
}

/// <summary>The shared-memory tree that ends the group-per-output reductions.</summary>
public static class GroupTree<T, TOp> where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
{
    /// <summary>
    /// Combines the <paramref name="size"/> values of a group (size a power of two; <paramref name="shared"/> holds at
    /// least that many): in step h = size/2, size/4, ..., 1, slot t &lt; h takes combine(slot t, slot t + h). Every thread
    /// must call it (it has barriers); thread 0 gets the result.
    /// </summary>
    public static T Combine(ArrayView<T> shared, int t, int size, T value)
    {
        var op = default(TOp);
        shared[t] = value;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (t < half) shared[t] = op.Combine(shared[t], shared[t + half]);
            Group.Barrier();
        }
        return shared[0];
    }
}
