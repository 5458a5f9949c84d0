using System.Collections;

namespace VoxelGan.Tensors;

/// <summary>
/// An immutable N-d shape of a contiguous row-major tensor (the last axis varies fastest; volumes are
/// NCDHW). Every shape rule of the library (broadcasting, axis normalisation, matmul, reshape) lives
/// here so that errors read the same everywhere and name the shapes involved.
/// </summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] _dims;

    /// <summary>Creates a shape; every extent must be non-negative and the element count below 2^31.</summary>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long n = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ShapeException($"shape {Format(dims)} has a negative extent");
            n *= d;
            if (n > int.MaxValue) throw new ShapeException($"shape {Format(dims)} has more than 2^31-1 elements");
        }
        _dims = (int[])dims.Clone();
        Numel = (int)n;
    }

    /// <summary>The shape of a scalar (rank 0, one element).</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of axes.</summary>
    public int Rank => _dims.Length;

    /// <summary>Number of elements (1 for a scalar).</summary>
    public int Numel { get; }

    /// <summary>Extent of axis <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis)];

    /// <inheritdoc />
    public int Count => _dims.Length;

    /// <summary>A copy of the extents.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>Row-major element strides (in elements, not bytes).</summary>
    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= _dims[i]; }
        return s;
    }

    /// <summary>Maps a possibly negative axis into [0, Rank), or throws naming the shape.</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank) throw new ShapeException($"axis {axis} is out of range for shape {this}");
        return a;
    }

    /// <summary>The NumPy broadcast of two shapes, or a <see cref="ShapeException"/> naming both.</summary>
    public static Shape Broadcast(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a._dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b._dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeException($"shapes {a} and {b} cannot be broadcast together (axis {i - rank}: {da} vs {db})");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>
    /// Element strides that read this shape as if it had been broadcast to <paramref name="target"/>:
    /// broadcast axes get stride 0. The result has <paramref name="target"/>'s rank.
    /// </summary>
    public int[] BroadcastStrides(Shape target)
    {
        if (!Broadcast(this, target).Equals(target))
            throw new ShapeException($"shape {this} cannot be broadcast to {target}");
        var own = Strides();
        var s = new int[target.Rank];
        int offset = target.Rank - Rank;
        for (int i = 0; i < Rank; i++) s[i + offset] = _dims[i] == 1 ? 0 : own[i];
        return s;
    }

    /// <summary>Resolves a reshape target that may contain one -1; the element count must match.</summary>
    public Shape Reshape(int[] target)
    {
        int inferred = Array.IndexOf(target, -1);
        if (inferred >= 0 && Array.LastIndexOf(target, -1) != inferred)
            throw new ShapeException($"cannot reshape {this} to {Format(target)}: more than one -1");
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            if (i == inferred) continue;
            if (target[i] < 0) throw new ShapeException($"cannot reshape {this} to {Format(target)}: negative extent");
            known *= target[i];
        }
        var dims = (int[])target.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ShapeException($"cannot reshape {this} ({Numel} elements) to {Format(target)}");
            dims[inferred] = (int)(Numel / known);
        }
        var result = new Shape(dims);
        if (result.Numel != Numel)
            throw new ShapeException($"cannot reshape {this} ({Numel} elements) to {result} ({result.Numel} elements)");
        return result;
    }

    /// <summary>Checks that <paramref name="permutation"/> is a permutation of the axes and returns the permuted shape.</summary>
    public Shape Permute(int[] permutation)
    {
        if (permutation.Length != Rank)
            throw new ShapeException($"permutation {Format(permutation)} has {permutation.Length} axes but shape {this} has {Rank}");
        var seen = new bool[Rank];
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int a = NormalizeAxis(permutation[i]);
            if (seen[a]) throw new ShapeException($"permutation {Format(permutation)} repeats axis {a} (shape {this})");
            seen[a] = true;
            dims[i] = _dims[a];
        }
        return new Shape(dims);
    }

    /// <summary>Shape of a batched matrix product op(a) @ op(b) over the last two axes, with broadcast batch axes.</summary>
    public static Shape MatMul(Shape a, Shape b, bool transposeA, bool transposeB)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ShapeException($"matmul needs rank >= 2 operands, got {a} and {b}");
        int m = transposeA ? a[-1] : a[-2], ka = transposeA ? a[-2] : a[-1];
        int kb = transposeB ? b[-1] : b[-2], n = transposeB ? b[-2] : b[-1];
        if (ka != kb)
            throw new ShapeException($"matmul inner dimensions differ: {a}{(transposeA ? "^T" : "")} @ {b}{(transposeB ? "^T" : "")} ({ka} vs {kb})");
        var batch = Broadcast(new Shape(a._dims[..^2]), new Shape(b._dims[..^2]));
        return new Shape([.. batch._dims, m, n]);
    }

    /// <summary>Shape with <paramref name="axis"/> removed (or kept with extent 1).</summary>
    public Shape Reduce(int axis, bool keepDim)
    {
        int a = NormalizeAxis(axis);
        if (keepDim) { var d = ToArray(); d[a] = 1; return new Shape(d); }
        return new Shape([.. _dims[..a], .. _dims[(a + 1)..]]);
    }

    /// <summary>Throws unless both shapes are equal, naming both and the operation.</summary>
    public static void CheckSame(Shape a, Shape b, string operation)
    {
        if (!a.Equals(b)) throw new ShapeException($"{operation}: shapes {a} and {b} differ");
    }

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Formats as <c>[2, 3, 4]</c>.</summary>
    public override string ToString() => Format(_dims);

    private static string Format(int[] dims) => "[" + string.Join(", ", dims) + "]";

    /// <summary>Implicit conversion from an extent array.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);
}
