using System.Runtime.Intrinsics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Shared pieces of the Count x Count block transpose used to gather contiguous lines (inner = 1).
/// Stage with block size b pairs rows i and i + b (i without bit b) and exchanges their b-blocks:
/// new row i, column c = (c &amp; b) == 0 ? row i[c] : row (i + b)[c - b];
/// new row i + b, column c = (c &amp; b) == 0 ? row i[c + b] : row (i + b)[c].
/// Stages for b = Count / 2 .. 1 together give the exact transpose.
/// </summary>
internal static unsafe class FftTranspose
{
    /// <summary>Two-source permute indices (second source offset by Count) per stage, b = Count / 2 first.</summary>
    public static readonly Vector512<long>[] Lo64 = Indices<long>(8, lo: true), Hi64 = Indices<long>(8, lo: false);
    public static readonly Vector512<int>[] Lo32 = Indices<int>(16, lo: true), Hi32 = Indices<int>(16, lo: false);

    static Vector512<TI>[] Indices<TI>(int g, bool lo) where TI : unmanaged, System.Numerics.IBinaryInteger<TI>
    {
        var stages = new List<Vector512<TI>>();
        var idx = new TI[g];
        for (int b = g / 2; b >= 1; b /= 2)
        {
            for (int c = 0; c < g; c++)
                idx[c] = TI.CreateTruncating((c & b) == 0 ? (lo ? c : c + b) : (lo ? g + c - b : g + c));
            stages.Add(Vector512.Create<TI>(idx));
        }
        return stages.ToArray();
    }

    /// <summary>Portable fallback with the same contract as <see cref="IFftLanes{T,TV}.Transpose"/>.</summary>
    public static void Scalar<T>(int g, T* src, nint srcStride, int srcFlip, T* dst, nint dstStride, int dstFlip) where T : unmanaged
    {
        for (int c = 0; c < g; c++)
            for (int r = 0; r < g; r++)
                dst[(c ^ dstFlip) * dstStride + r] = src[(r ^ srcFlip) * srcStride + c];
    }
}
