namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Maps the linear row-major index i of an element of an output of extents D (padded on the left
/// with 1s to rank 6) to element offsets in two strided operands:
/// <c>a(i) = OffsetA + sum_d c_d * A_d</c> and <c>b(i) = OffsetB + sum_d c_d * B_d</c>, where
/// <c>c_d</c> are the coordinates of i in D. A stride of 0 repeats an operand along an axis
/// (NumPy broadcasting); permuted strides give transposes; offsets give slices. Fixed fields instead
/// of arrays keep the index math straight-line code in every kernel that uses it.
/// </summary>
public struct StridedIndex
{
    /// <summary>Largest number of axes after adjacent axes have been merged.</summary>
    public const int MaxRank = 6;

#pragma warning disable CS1591 // fields are the layout described above
    public int D0, D1, D2, D3, D4, D5;
    public int A0, A1, A2, A3, A4, A5;
    public int B0, B1, B2, B3, B4, B5;
    public int OffsetA, OffsetB;
#pragma warning restore CS1591

    /// <summary>Offset of element <paramref name="i"/> in operand A.</summary>
    public readonly int OffsetOfA(int i)
    {
        int c5 = i % D5; i /= D5; int c4 = i % D4; i /= D4; int c3 = i % D3; i /= D3;
        int c2 = i % D2; i /= D2; int c1 = i % D1; int c0 = i / D1;
        return OffsetA + c0 * A0 + c1 * A1 + c2 * A2 + c3 * A3 + c4 * A4 + c5 * A5;
    }

    /// <summary>Offset of element <paramref name="i"/> in operand B.</summary>
    public readonly int OffsetOfB(int i)
    {
        int c5 = i % D5; i /= D5; int c4 = i % D4; i /= D4; int c3 = i % D3; i /= D3;
        int c2 = i % D2; i /= D2; int c1 = i % D1; int c0 = i / D1;
        return OffsetB + c0 * B0 + c1 * B1 + c2 * B2 + c3 * B3 + c4 * B4 + c5 * B5;
    }

    /// <summary>
    /// Builds the map on the host. Axes of extent 1 are dropped and neighbouring axes that are
    /// contiguous in both operands are merged, so any rank works as long as at most
    /// <see cref="MaxRank"/> axes remain.
    /// </summary>
    public static StridedIndex Create(ReadOnlySpan<int> dims, ReadOnlySpan<int> stridesA, ReadOnlySpan<int> stridesB,
        int offsetA = 0, int offsetB = 0)
    {
        if (stridesA.Length != dims.Length || stridesB.Length != dims.Length)
            throw new ShapeException($"strided index: {dims.Length} extents but {stridesA.Length} and {stridesB.Length} strides");
        var d = new List<int>(); var a = new List<int>(); var b = new List<int>();
        for (int k = 0; k < dims.Length; k++)
        {
            if (dims[k] == 1) continue;
            int last = d.Count - 1;
            if (last >= 0 && a[last] == stridesA[k] * dims[k] && b[last] == stridesB[k] * dims[k])
            {
                d[last] *= dims[k]; a[last] = stridesA[k]; b[last] = stridesB[k];
                continue;
            }
            d.Add(dims[k]); a.Add(stridesA[k]); b.Add(stridesB[k]);
        }
        if (d.Count > MaxRank)
            throw new ShapeException($"layout of extents [{string.Join(", ", dims.ToArray())}] needs {d.Count} axes after merging; kernels support {MaxRank}");
        while (d.Count < MaxRank) { d.Insert(0, 1); a.Insert(0, 0); b.Insert(0, 0); }
        return new StridedIndex
        {
            D0 = d[0], D1 = d[1], D2 = d[2], D3 = d[3], D4 = d[4], D5 = d[5],
            A0 = a[0], A1 = a[1], A2 = a[2], A3 = a[3], A4 = a[4], A5 = a[5],
            B0 = b[0], B1 = b[1], B2 = b[2], B3 = b[3], B4 = b[4], B5 = b[5],
            OffsetA = offsetA, OffsetB = offsetB,
        };
    }
}
