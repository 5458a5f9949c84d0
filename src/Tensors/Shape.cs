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

    /// <summary>
    /// Output shape of a 3D convolution of <paramref name="x"/> [N, Cin, D, H, W] with a cubic kernel
    /// <paramref name="w"/> [Cout, Cin, K, K, K]: each spatial extent becomes (n + 2p - K) / s + 1 (PyTorch's),
    /// or <paramref name="outputExtents"/> (D, H, W) when given, which must fit the input by
    /// <see cref="CheckConvExtents"/> (TensorFlow's 'same' pads 0 before and 1 after for K 3, s 2: input 2m, output m).
    /// </summary>
    public static Shape Conv3d(Shape x, Shape w, int stride, int padding, int[]? outputExtents = null)
    {
        CheckConvOperands("Conv3d", x, "input", w, stride, padding);
        if (x[1] != w[1])
            throw new ShapeException($"Conv3d: input {x} has {x[1]} channels but weight {w} expects {w[1]}");
        int k = w[2];
        var dims = new int[5];
        dims[0] = x[0];
        dims[1] = w[0];
        if (outputExtents is not null)
        {
            if (outputExtents.Length != 3) throw new ShapeException($"Conv3d: output extents {Format(outputExtents)} must be three values (D, H, W)");
            outputExtents.CopyTo(dims, 2);
            var y = new Shape(dims);
            CheckConvExtents("Conv3d", x, y, k, stride, padding);
            return y;
        }
        for (int a = 2; a < 5; a++)
        {
            int span = x[a] + 2 * padding - k;
            if (span < 0)
                throw new ShapeException($"Conv3d: kernel {k} with padding {padding} does not fit input {x} (axis {a})");
            dims[a] = span / stride + 1;
        }
        return new Shape(dims);
    }

    /// <summary>
    /// Output shape of a transposed 3D convolution of <paramref name="y"/> [N, Cin, D, H, W] with
    /// <paramref name="w"/> [Cin, Cout, K, K, K]: spatial extent a becomes (n - 1) s - 2p + K + outputPadding[a].
    /// PyTorch requires 0 &lt;= outputPadding &lt; s; here it may also be negative (crops the end), as long as
    /// the extents fit (<see cref="CheckConvExtents"/>): TensorFlow's 'same' with K 3, s 2 is p 0, outputPadding -1.
    /// </summary>
    public static Shape ConvTranspose3d(Shape y, Shape w, int stride, int padding, int[] outputPadding)
    {
        CheckConvOperands("ConvTranspose3d", y, "input", w, stride, padding);
        if (y[1] != w[0])
            throw new ShapeException($"ConvTranspose3d: input {y} has {y[1]} channels but weight {w} expects {w[0]}");
        if (outputPadding.Length != 3 || outputPadding.Any(op => op >= stride))
            throw new ShapeException($"ConvTranspose3d: output padding {Format(outputPadding)} must be three values below the stride {stride}");
        var dims = new int[5];
        dims[0] = y[0];
        dims[1] = w[1];
        for (int a = 2; a < 5; a++)
        {
            dims[a] = (y[a] - 1) * stride - 2 * padding + w[2] + outputPadding[a - 2];
            if (dims[a] < 1)
                throw new ShapeException($"ConvTranspose3d: input {y} with kernel {w[2]}, stride {stride}, padding {padding}, output padding {Format(outputPadding)} gives an empty output");
        }
        var x = new Shape(dims);
        CheckConvExtents("ConvTranspose3d", x, y, w[2], stride, padding); // output paddings in [0, s) always fit
        return x;
    }

    /// <summary>
    /// Throws unless fine grid <paramref name="x"/> and coarse grid <paramref name="y"/> can be the two sides of
    /// one convolution (kernel K, stride s, padding p before): the same batch, and on every spatial axis, with n = x's and m = y's
    /// extent, either m is PyTorch's (n + 2p - K) / s + 1, or the last coarse voxel's window starts inside x
    /// ((m - 1) s - p &lt;= n - 1) and x ends before the window after it would (n &lt;= (m - 1) s - p + K + s - 1),
    /// which admits TensorFlow's 'same' (padding split unevenly, the larger part after).
    /// </summary>
    public static void CheckConvExtents(string op, Shape x, Shape y, int kernel, int stride, int padding)
    {
        if (x.Rank != 5 || y.Rank != 5) throw new ShapeException($"{op}: {x} and {y} must both be [N, C, D, H, W]");
        if (x[0] != y[0]) throw new ShapeException($"{op}: {x} and {y} hold different batch sizes ({x[0]} and {y[0]})");
        if (kernel < 1 || stride < 1 || padding < 0)
            throw new ShapeException($"{op}: kernel {kernel} and stride {stride} must be positive, padding {padding} non-negative");
        for (int a = 2; a < 5; a++)
        {
            int n = x[a], m = y[a], span = n + 2 * padding - kernel;
            bool pytorch = span >= 0 && m == span / stride + 1;
            bool windows = m >= 1 && n >= 1 && (m - 1) * stride - padding <= n - 1 && n <= (m - 1) * stride - padding + kernel + stride - 1;
            if (!pytorch && !windows)
                throw new ShapeException($"{op}: extent {n} of {x} and extent {m} of {y} (axis {a}) are not the two sides of a convolution with kernel {kernel}, stride {stride}, padding {padding}");
        }
    }

    /// <summary>
    /// The output padding per spatial axis that makes ConvTranspose3d(Conv3d(x)) x-shaped again:
    /// n_x - ((n_y - 1) s - 2p + K); in [0, s) for PyTorch-sized pairs, negative for TensorFlow's 'same'.
    /// </summary>
    public static int[] ConvOutputPadding(Shape x, Shape y, int kernel, int stride, int padding) =>
        [.. Enumerable.Range(2, 3).Select(a => x[a] - ((y[a] - 1) * stride - 2 * padding + kernel))];

    /// <summary>The spatial extents (D, H, W) of an [N, C, D, H, W] shape.</summary>
    public int[] SpatialExtents() => [this[2], this[3], this[4]];

    /// <summary>Output shape of average pooling with window = stride = <paramref name="k"/>; every spatial extent must be a multiple of k.</summary>
    public static Shape Pool3d(Shape x, int k)
    {
        if (x.Rank != 5) throw new ShapeException($"AvgPool3d: input {x} is not [N, C, D, H, W]");
        if (k < 1) throw new ShapeException($"AvgPool3d: window {k} must be at least 1");
        for (int a = 2; a < 5; a++)
            if (x[a] % k != 0) throw new ShapeException($"AvgPool3d: extent {x[a]} of input {x} is not a multiple of the window {k}");
        return new Shape(x[0], x[1], x[2] / k, x[3] / k, x[4] / k);
    }

    private static void CheckConvOperands(string op, Shape x, string role, Shape w, int stride, int padding)
    {
        if (x.Rank != 5) throw new ShapeException($"{op}: {role} {x} is not [N, C, D, H, W]");
        if (w.Rank != 5 || w[2] != w[3] || w[2] != w[4] || w[2] < 1)
            throw new ShapeException($"{op}: weight {w} is not [C, C, K, K, K] with a cubic kernel");
        if (stride < 1) throw new ShapeException($"{op}: stride {stride} must be at least 1");
        if (padding < 0) throw new ShapeException($"{op}: padding {padding} must not be negative");
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
