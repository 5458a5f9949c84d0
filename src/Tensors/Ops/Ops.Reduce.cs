using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>Sum of all elements, as a rank-0 tensor (0 for an empty tensor).</summary>
    public static Tensor Sum(Tensor x) => ReduceAll<SumReduce>(x, nameof(Sum));

    /// <summary>Mean of all elements, as a rank-0 tensor (NaN for an empty tensor, as NumPy).</summary>
    public static Tensor Mean(Tensor x)
    {
        using var s = Sum(x);
        return MulScalar(s, 1.0 / x.Numel);
    }

    /// <summary>Largest element, as a rank-0 tensor; an empty tensor is an error.</summary>
    public static Tensor Max(Tensor x) => ReduceAll<MaxReduce>(x, nameof(Max), requireElements: true);

    /// <summary>Smallest element, as a rank-0 tensor; an empty tensor is an error.</summary>
    public static Tensor Min(Tensor x) => ReduceAll<MinReduce>(x, nameof(Min), requireElements: true);

    /// <summary>Sum along <paramref name="axis"/> (negative counts from the end).</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false) => ReduceAxis<SumReduce>(x, axis, keepDim, nameof(Sum));

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDim = false)
    {
        using var s = Sum(x, axis, keepDim);
        return MulScalar(s, 1.0 / x.Shape[axis]);
    }

    /// <summary>Maximum along <paramref name="axis"/>.</summary>
    public static Tensor Max(Tensor x, int axis, bool keepDim = false) => ReduceAxis<MaxReduce>(x, axis, keepDim, nameof(Max));

    /// <summary>Minimum along <paramref name="axis"/>.</summary>
    public static Tensor Min(Tensor x, int axis, bool keepDim = false) => ReduceAxis<MinReduce>(x, axis, keepDim, nameof(Min));

    /// <summary>
    /// Sums <paramref name="x"/> down to <paramref name="target"/>, a shape that broadcasts to x's:
    /// the adjoint of <see cref="BroadcastTo"/> (what a broadcast operand's gradient needs). Adjacent summed axes
    /// are summed by one launch (a bias's gradient, [N, C, D, H, W] to [1, C, 1, 1, 1], takes two, not four).
    /// </summary>
    public static Tensor SumTo(Tensor x, Shape target)
    {
        if (!Shape.Broadcast(target, x.Shape).Equals(x.Shape))
            throw new ShapeException($"SumTo: shape {target} does not broadcast to {x.Shape}");
        int lead = x.Rank - target.Rank;
        var dims = x.Shape.ToArray();
        bool Summed(int axis) => axis < lead || (target[axis - lead] == 1 && dims[axis] != 1);
        if (SumAround(x, target, dims, Summed) is { } around) return around;
        var current = x.Reshape(dims);
        for (int start = 0; start < dims.Length; start++)
        {
            if (!Summed(start)) continue;
            int end = start;
            while (end + 1 < dims.Length && Summed(end + 1)) end++;
            // The run start..end as one axis of a rank-(rank - run + 1) view; summed with keepDim, then back to full rank.
            int run = 1;
            for (int k = start; k <= end; k++) run *= dims[k];
            int[] merged = [.. dims[..start], run, .. dims[(end + 1)..]];
            using (var view = current.Reshape(merged))
            using (var sum = Sum(view, start, keepDim: true))
            {
                for (int k = start; k <= end; k++) dims[k] = 1;
                current.Dispose();
                current = sum.Reshape(dims);
            }
            start = end;
        }
        var result = current.Reshape(target.ToArray());
        current.Dispose();
        return result;
    }

    /// <summary>
    /// SumTo in one launch where the summed axes are a leading and a trailing run around one kept run (axes of extent
    /// 1 aside): a bias's gradient, [N, C, D, H, W] to [1, C, 1, 1, 1]; or where every axis is summed. Null where
    /// neither holds, or where one summed run is all there is (ReduceAxis does that in one launch already).
    /// </summary>
    private static Tensor? SumAround(Tensor x, Shape target, int[] dims, Func<int, bool> summed)
    {
        if (x.Numel == 0) return null;
        int first = -1, last = -1;
        for (int a = 0; a < dims.Length; a++)
        {
            if (dims[a] == 1 || summed(a)) continue;
            if (first < 0) first = a;
            last = a;
        }
        if (first < 0)
        {
            // Everything summed (axes of extent 1 aside): one fold, whatever runs the extent-1 axes split it into.
            RequireCompute(x, nameof(SumTo));
            var all = Tensor.Empty(target, x.DType, x.Device);
            x.Device.Backend.ReduceAround<SumReduce>(x, all, 1, x.Numel);
            return all;
        }
        for (int a = first; a <= last; a++)
            if (dims[a] != 1 && summed(a)) return null; // a summed axis inside the kept run: two runs kept
        long outer = 1, middle = 1, inner = 1;
        for (int a = 0; a < first; a++) outer *= dims[a];
        for (int a = first; a <= last; a++) middle *= dims[a];
        for (int a = last + 1; a < dims.Length; a++) inner *= dims[a];
        if (outer == 1 || inner == 1) return null; // one summed run: ReduceAxis does it in one launch already
        RequireCompute(x, nameof(SumTo));
        var y = Tensor.Empty(target, x.DType, x.Device);
        x.Device.Backend.ReduceAround<SumReduce>(x, y, (int)outer, (int)inner);
        return y;
    }

    private static Tensor ReduceAxis<TOp>(Tensor x, int axis, bool keepDim, string op) where TOp : struct, IReduceOp
    {
        RequireCompute(x, op);
        int a = x.Shape.NormalizeAxis(axis);
        int length = x.Shape[a];
        if (length == 0 && typeof(TOp) != typeof(SumReduce))
            throw new ShapeException($"{op}: axis {axis} of {x.Shape} is empty");
        int inner = 1;
        for (int k = a + 1; k < x.Rank; k++) inner *= x.Shape[k];
        var y = Tensor.Empty(x.Shape.Reduce(a, keepDim), x.DType, x.Device);
        if (y.Numel == 0) return y;
        if (length == 0) x.Device.Backend.Fill(y, 0);
        else x.Device.Backend.ReduceAxis<TOp>(x, y, length, inner);
        return y;
    }

    private static Tensor ReduceAll<TOp>(Tensor x, string op, bool requireElements = false) where TOp : struct, IReduceOp
    {
        RequireCompute(x, op);
        if (requireElements && x.Numel == 0) throw new ShapeException($"{op} of an empty tensor {x.Shape}");
        var y = Tensor.Empty(Shape.Scalar, x.DType, x.Device);
        if (x.Numel == 0) x.Device.Backend.Fill(y, 0);
        else x.Device.Backend.ReduceAll<TOp>(x, y);
        return y;
    }
}
