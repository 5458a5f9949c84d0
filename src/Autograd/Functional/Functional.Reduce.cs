using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    // d sum(x) = broadcast(g)
    public static Var Sum(Var x) => Var.Record(Ops.Sum(x.Data), "sum", [x], g => BroadcastTo(g, x.Shape));

    public static Var Mean(Var x) => Sum(x) * (1.0 / x.Shape.Numel);

    // d sum_axis(x) = broadcast(g with the axis restored as 1)
    public static Var Sum(Var x, int axis, bool keepDim = false)
    {
        var kept = x.Shape.Reduce(axis, keepDim: true);
        return Var.Record(Ops.Sum(x.Data, axis, keepDim), "sum_axis", [x],
            g => BroadcastTo(Reshape(g, kept.ToArray()), x.Shape));
    }

    public static Var Mean(Var x, int axis, bool keepDim = false) => Sum(x, axis, keepDim) * (1.0 / x.Shape[axis]);

    // d max(x) = g at the maxima, split evenly between ties
    public static Var Max(Var x) =>
        Var.Record(Ops.Max(x.Data), "max", [x], (g, y) => BroadcastTo(g, x.Shape) * Constant(ArgExtremumWeights(x.Data, y.Data, null)));

    public static Var Min(Var x) =>
        Var.Record(Ops.Min(x.Data), "min", [x], (g, y) => BroadcastTo(g, x.Shape) * Constant(ArgExtremumWeights(x.Data, y.Data, null)));

    public static Var Max(Var x, int axis, bool keepDim = false) => ExtremumAlong(x, axis, keepDim, Ops.Max, "max_axis");

    public static Var Min(Var x, int axis, bool keepDim = false) => ExtremumAlong(x, axis, keepDim, Ops.Min, "min_axis");

    private static Var ExtremumAlong(Var x, int axis, bool keepDim, Func<Tensor, int, bool, Tensor> op, string name)
    {
        var kept = x.Shape.Reduce(axis, keepDim: true);
        return Var.Record(op(x.Data, axis, keepDim), name, [x], (g, y) =>
        {
            using var yKept = y.Data.Reshape(kept.ToArray());
            return BroadcastTo(Reshape(g, kept.ToArray()), x.Shape) * Constant(ArgExtremumWeights(x.Data, yKept, axis));
        });
    }

    /// <summary>1/(number of ties) where x equals its extremum y (broadcast along the reduced axes), else 0.</summary>
    private static Tensor ArgExtremumWeights(Tensor x, Tensor y, int? axis)
    {
        using var hits = Ops.Equal(x, y);
        using var count = axis is int a ? Ops.Sum(hits, a, keepDim: true) : Ops.Sum(hits);
        return Ops.Div(hits, count);
    }

    /// <summary>Sums <paramref name="x"/> down to <paramref name="shape"/> (the adjoint of <see cref="BroadcastTo"/>).</summary>
    public static Var SumTo(Var x, Shape shape) => x.Shape.Equals(shape)
        ? Alias(x)
        : Var.Record(Ops.SumTo(x.Data, shape), "sum_to", [x], g => BroadcastTo(g, x.Shape));

    /// <summary>Repeats <paramref name="x"/> to <paramref name="shape"/> (the adjoint of <see cref="SumTo"/>).</summary>
    public static Var BroadcastTo(Var x, Shape shape) => x.Shape.Equals(shape)
        ? Alias(x)
        : Var.Record(Ops.BroadcastTo(x.Data, shape), "broadcast_to", [x], g => SumTo(g, x.Shape));
}
