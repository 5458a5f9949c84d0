using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Up to <see cref="Capacity"/> contiguous sources of one gather launch (<see cref="CopyKernels.Gather{T}"/>), passed
/// by value as a kernel parameter (ILGPU takes structs holding views; a kernel cannot take an array of them). The
/// sources are numbered in a packed index space: part k covers packed indices [End(k-1), End(k)) and lands at
/// destination elements Offset(k) + (i - End(k-1)). Unused parts are empty (their End is the previous part's).
/// </summary>
/// <remarks>
/// Eight named fields and a switch rather than an array: a struct field indexed at run time would have to live in local
/// memory on a GPU, a switch over registers does not.
/// </remarks>
public struct GatherTable<T> where T : unmanaged
{
    /// <summary>Parts per launch.</summary>
    public const int Capacity = 8;

#pragma warning disable CS1591 // fields of a by-value kernel parameter; the type's summary says what they are
    public ArrayView<T> Source0, Source1, Source2, Source3, Source4, Source5, Source6, Source7;
    public int End0, End1, End2, End3, End4, End5, End6, End7;
    public int Offset0, Offset1, Offset2, Offset3, Offset4, Offset5, Offset6, Offset7;
#pragma warning restore CS1591

    /// <summary>Elements in all parts together.</summary>
    public readonly int Total => End7;

    /// <summary>The part that packed index <paramref name="i"/> (below <see cref="Total"/>) falls in.</summary>
    public readonly int Part(int i) =>
        i < End3 ? (i < End1 ? (i < End0 ? 0 : 1) : (i < End2 ? 2 : 3))
                 : (i < End5 ? (i < End4 ? 4 : 5) : (i < End6 ? 6 : 7));

    /// <summary>The first packed index of part <paramref name="k"/>.</summary>
    public readonly int Start(int k) => k == 0 ? 0 : End(k - 1);

    /// <summary>One past the last packed index of part <paramref name="k"/>.</summary>
    public readonly int End(int k) => k switch
    {
        0 => End0, 1 => End1, 2 => End2, 3 => End3, 4 => End4, 5 => End5, 6 => End6, _ => End7,
    };

    /// <summary>Where part <paramref name="k"/> starts in the destination.</summary>
    public readonly int Offset(int k) => k switch
    {
        0 => Offset0, 1 => Offset1, 2 => Offset2, 3 => Offset3, 4 => Offset4, 5 => Offset5, 6 => Offset6, _ => Offset7,
    };

    /// <summary>The elements of part <paramref name="k"/>.</summary>
    public readonly ArrayView<T> Source(int k) => k switch
    {
        0 => Source0, 1 => Source1, 2 => Source2, 3 => Source3, 4 => Source4, 5 => Source5, 6 => Source6, _ => Source7,
    };

    /// <summary>
    /// Host side: a table of <paramref name="parts"/> (at most <see cref="Capacity"/>, each a source view and its
    /// destination offset); the rest stay empty.
    /// </summary>
    public static GatherTable<T> Of(IReadOnlyList<(ArrayView<T> Source, int Offset)> parts)
    {
        if (parts.Count > Capacity) throw new ArgumentException($"a gather table holds at most {Capacity} parts, got {parts.Count}");
        var table = new GatherTable<T>();
        int end = 0;
        for (int k = 0; k < Capacity; k++)
        {
            var (source, offset) = k < parts.Count ? parts[k] : (default, 0);
            end = checked(end + (int)source.Length);
            table.Set(k, source, end, offset);
        }
        return table;
    }

    private void Set(int k, ArrayView<T> source, int end, int offset)
    {
        switch (k)
        {
            case 0: (Source0, End0, Offset0) = (source, end, offset); break;
            case 1: (Source1, End1, Offset1) = (source, end, offset); break;
            case 2: (Source2, End2, Offset2) = (source, end, offset); break;
            case 3: (Source3, End3, Offset3) = (source, end, offset); break;
            case 4: (Source4, End4, Offset4) = (source, end, offset); break;
            case 5: (Source5, End5, Offset5) = (source, end, offset); break;
            case 6: (Source6, End6, Offset6) = (source, end, offset); break;
            default: (Source7, End7, Offset7) = (source, end, offset); break;
        }
    }
}
