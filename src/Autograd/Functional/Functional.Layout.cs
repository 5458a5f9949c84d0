using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    public static Var Reshape(Var x, params int[] shape) =>
        Var.Record(x.Data.Reshape(shape), "reshape", [x], g => Reshape(g, x.Shape.ToArray()));

    // The inverse permutation puts every axis back.
    public static Var Permute(Var x, params int[] permutation)
    {
        var inverse = new int[permutation.Length];
        for (int i = 0; i < permutation.Length; i++) inverse[x.Shape.NormalizeAxis(permutation[i])] = i;
        return Var.Record(Ops.Permute(x.Data, permutation), "permute", [x], g => Permute(g, inverse));
    }

    public static Var Transpose(Var x, int axis0 = -2, int axis1 = -1)
    {
        var perm = Enumerable.Range(0, x.Shape.Rank).ToArray();
        int a = x.Shape.NormalizeAxis(axis0), b = x.Shape.NormalizeAxis(axis1);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    // The gradient of a slice is the gradient padded with zeros back to the full extent.
    public static Var Slice(Var x, int axis, int start, int length)
    {
        int a = x.Shape.NormalizeAxis(axis);
        var before = new int[x.Shape.Rank];
        var after = new int[x.Shape.Rank];
        before[a] = start;
        after[a] = x.Shape[a] - start - length;
        return Var.Record(Ops.Slice(x.Data, axis, start, length), "slice", [x], g => Pad(g, before, after));
    }

    // Each input's gradient is its slice of the output gradient.
    public static Var Concat(IReadOnlyList<Var> xs, int axis)
    {
        var data = Ops.Concat(xs.Select(x => x.Data).ToArray(), axis);
        var rules = new Func<Var, Var>[xs.Count];
        int offset = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            int start = offset, length = xs[i].Shape[axis];
            rules[i] = g => Slice(g, axis, start, length);
            offset += length;
        }
        return Var.Record(data, "concat", xs.ToArray(), rules);
    }

    // The gradient of padding is the gradient cropped back to the input.
    public static Var Pad(Var x, int[] before, int[] after, double value = 0) =>
        Var.Record(Ops.Pad(x.Data, before, after, value), "pad", [x], g =>
        {
            var cropped = g;
            for (int k = 0; k < before.Length; k++)
                if (before[k] != 0 || after[k] != 0) cropped = Slice(cropped, k, before[k], x.Shape[k]);
            return ReferenceEquals(cropped, g) ? Alias(g) : cropped;
        });

    public static Var Cast(Var x, DType dtype) =>
        Var.Record(Ops.Cast(x.Data, dtype), "cast", [x], g => Cast(g, x.DType));
}
