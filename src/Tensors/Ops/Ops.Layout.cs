using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>A contiguous copy.</summary>
    public static Tensor Clone(Tensor x)
    {
        var y = Tensor.Empty(x.Shape, x.DType, x.Device);
        var strides = x.Shape.Strides();
        CopyKernels.Copy(x, y, x.Shape.ToArray(), strides, 0, strides, 0);
        return y;
    }

    /// <summary>Overwrites <paramref name="destination"/> with <paramref name="source"/> (same shape, dtype and device).</summary>
    public static void CopyInto(Tensor destination, Tensor source)
    {
        Shape.CheckSame(destination.Shape, source.Shape, nameof(CopyInto));
        if (!ReferenceEquals(destination.Device, source.Device))
            throw new ArgumentException($"CopyInto: {source} and {destination} live on different devices");
        var strides = source.Shape.Strides();
        CopyKernels.Copy(source, destination, source.Shape.ToArray(), strides, 0, strides, 0);
    }

    /// <summary>
    /// Copies each source whole into <paramref name="destination"/> from element <c>Offset</c> on (flat, row-major
    /// order): the same as a <see cref="CopyInto"/> of each source into a segment of the destination, in one launch per
    /// eight sources instead of one each. The ranges must lie inside the destination and not overlap; elements outside
    /// them are left as they are.
    /// </summary>
    public static void GatherInto(Tensor destination, IReadOnlyList<(Tensor Source, long Offset)> parts)
    {
        var ranges = new List<(long Start, long End, Tensor Source)>(parts.Count);
        foreach (var (source, offset) in parts)
        {
            if (source.DType != destination.DType || !ReferenceEquals(source.Device, destination.Device))
                throw new ArgumentException($"GatherInto: {source} does not match the destination {destination} in dtype or device");
            if (offset < 0 || offset + source.Numel > destination.Numel)
                throw new ShapeException($"GatherInto: {source} at element {offset} reaches past the {destination.Numel} elements of {destination}");
            ranges.Add((offset, offset + source.Numel, source));
        }
        var sorted = ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start).ToArray();
        for (int k = 1; k < sorted.Length; k++)
            if (sorted[k].Start < sorted[k - 1].End)
                throw new ShapeException($"GatherInto: {sorted[k].Source} at element {sorted[k].Start} overlaps {sorted[k - 1].Source} at element {sorted[k - 1].Start} of {destination}");
        if (sorted.Length > 0) destination.Device.Backend.Gather(destination, parts.Select(p => (p.Source, (int)p.Offset)).ToArray());
    }

    /// <summary>
    /// A reshaped view sharing storage with <paramref name="x"/> (no copy; see <see cref="Tensor.Reshape"/>).
    /// </summary>
    public static Tensor Reshape(Tensor x, params int[] shape) => x.Reshape(shape);

    /// <summary>Reorders axes: result axis i is input axis <paramref name="permutation"/>[i] (a copy).</summary>
    public static Tensor Permute(Tensor x, params int[] permutation)
    {
        var shape = x.Shape.Permute(permutation);
        var xs = x.Shape.Strides();
        var src = permutation.Select(p => xs[x.Shape.NormalizeAxis(p)]).ToArray();
        var y = Tensor.Empty(shape, x.DType, x.Device);
        CopyKernels.Copy(x, y, shape.ToArray(), src, 0, shape.Strides(), 0);
        return y;
    }

    /// <summary>Swaps two axes (a copy).</summary>
    public static Tensor Transpose(Tensor x, int axis0 = -2, int axis1 = -1)
    {
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        int a = x.Shape.NormalizeAxis(axis0), b = x.Shape.NormalizeAxis(axis1);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(x, perm);
    }

    /// <summary>Elements <paramref name="start"/> .. start+length-1 along <paramref name="axis"/> (a copy).</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        int a = x.Shape.NormalizeAxis(axis);
        if (start < 0 || length < 0 || start + (long)length > x.Shape[a])
            throw new ShapeException($"slice [{start}, {start + (long)length}) is outside axis {axis} of extent {x.Shape[a]} (shape {x.Shape})");
        var dims = x.Shape.ToArray();
        dims[a] = length;
        var shape = new Shape(dims);
        var xs = x.Shape.Strides();
        var y = Tensor.Empty(shape, x.DType, x.Device);
        CopyKernels.Copy(x, y, dims, xs, start * xs[a], shape.Strides(), 0);
        return y;
    }

    /// <summary>
    /// The values of several one-element tensors (on one device) with one host read: they are gathered into one
    /// vector on the device first, in their common dtype or float64 when they differ. A read each would wait for
    /// the device once per value.
    /// </summary>
    public static double[] ReadScalars(IReadOnlyList<Tensor> scalars)
    {
        if (scalars.Count == 0) return [];
        foreach (var t in scalars)
            if (t.Numel != 1) throw new ShapeException($"ReadScalars: {t} is not a one-element tensor");
        // The scalars of each dtype gathered into one vector (eight per launch), each vector converted to float64 once
        // where the dtypes differ, and one read: a conversion per scalar would be a launch per scalar.
        var groups = Enumerable.Range(0, scalars.Count).GroupBy(i => scalars[i].DType).ToList();
        using var scope = TensorScope.Begin();
        var vectors = groups.Select(g => Concat([.. g.Select(i => scalars[i].Reshape(1))], 0)).ToList();
        var joined = vectors.Count == 1 ? vectors[0] : Concat([.. vectors.Select(v => v.DType == DType.Float64 ? v : Cast(v, DType.Float64))], 0);
        var values = joined.ToDoubleArray();
        var result = new double[scalars.Count];
        int next = 0;
        foreach (var g in groups)
            foreach (int i in g) result[i] = values[next++];
        return result;
    }

    /// <summary>Joins tensors along an existing axis; all other extents must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor");
        var first = tensors[0];
        int a = first.Shape.NormalizeAxis(axis);
        long total = 0;
        foreach (var t in tensors)
        {
            if (t.DType != first.DType || !ReferenceEquals(t.Device, first.Device))
                throw new ArgumentException($"Concat: {t} does not match {first} in dtype or device");
            bool fits = t.Rank == first.Rank;
            for (int k = 0; fits && k < t.Rank; k++) fits = k == a || t.Shape[k] == first.Shape[k];
            if (!fits)
                throw new ShapeException($"Concat along axis {axis}: shapes {first.Shape} and {t.Shape} differ off that axis");
            total += t.Shape[a];
        }
        var dims = first.Shape.ToArray();
        dims[a] = checked((int)total);
        var y = Tensor.Empty(new Shape(dims), first.DType, first.Device);
        var ys = y.Shape.Strides();
        // Along the outermost non-unit axis each part is one block of the result: one gather for all of them.
        if (dims.Take(a).All(d => d == 1))
        {
            long at = 0;
            var parts = tensors.Select(t => { var part = (t, at); at += t.Numel; return part; }).ToArray();
            GatherInto(y, parts);
            return y;
        }
        int offset = 0;
        foreach (var t in tensors)
        {
            CopyKernels.Copy(t, y, t.Shape.ToArray(), t.Shape.Strides(), 0, ys, offset * ys[a]);
            offset += t.Shape[a];
        }
        return y;
    }

    /// <summary>
    /// Pads every axis k with <paramref name="before"/>[k] and <paramref name="after"/>[k] elements of
    /// <paramref name="value"/> (negative amounts are not allowed; use <see cref="Slice"/> to crop).
    /// </summary>
    public static Tensor Pad(Tensor x, int[] before, int[] after, double value = 0)
    {
        if (before.Length != x.Rank || after.Length != x.Rank)
            throw new ShapeException($"Pad: {before.Length} and {after.Length} pad amounts for shape {x.Shape} of rank {x.Rank}");
        if (before.Any(p => p < 0) || after.Any(p => p < 0))
            throw new ShapeException($"Pad: negative pad amounts [{string.Join(", ", before)}] / [{string.Join(", ", after)}]");
        var dims = x.Shape.Select((d, k) => d + before[k] + after[k]).ToArray();
        var y = Tensor.Full(new Shape(dims), value, x.DType, x.Device);
        var ys = y.Shape.Strides();
        int offset = 0;
        for (int k = 0; k < x.Rank; k++) offset += before[k] * ys[k];
        CopyKernels.Copy(x, y, x.Shape.ToArray(), x.Shape.Strides(), 0, ys, offset);
        return y;
    }

    /// <summary>Repeats size-1 (or missing leading) axes to reach <paramref name="shape"/> (a copy).</summary>
    public static Tensor BroadcastTo(Tensor x, Shape shape)
    {
        var src = x.Shape.BroadcastStrides(shape);
        var y = Tensor.Empty(shape, x.DType, x.Device);
        CopyKernels.Copy(x, y, shape.ToArray(), src, 0, shape.Strides(), 0);
        return y;
    }
}
