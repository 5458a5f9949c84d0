using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// The data-movement kernels: permute, slice, concatenate, pad and broadcast-expand are all a
/// strided copy with different strides and offsets; <see cref="Gather{T}"/> moves several whole
/// tensors into one buffer in one launch (gradients into an optimizer's flat buffer, the parts of a
/// concatenation along its outermost axis).
/// </summary>
public static class CopyKernels
{
    /// <summary>
    /// <c>dst[map.OffsetOfB(i)] = src[map.OffsetOfA(i)]</c> for i &lt; count: operand A of
    /// <paramref name="map"/> addresses the source, operand B the destination.
    /// </summary>
    public static void Strided<T>(Index1D thread, int threads, int count, ArrayView<T> src, ArrayView<T> dst, StridedIndex map)
        where T : unmanaged
    {
        for (int i = thread; i < count; i += threads) dst[map.OffsetOfB(i)] = src[map.OffsetOfA(i)];
    }

    /// <summary>
    /// <c>dst[table.Offset(k) + j] = table.Source(k)[j]</c> for every part k of <paramref name="table"/> and j below its
    /// length: up to <see cref="GatherTable{T}.Capacity"/> contiguous tensors copied into one destination. Thread i of the
    /// grid-stride loop takes packed index i (parts numbered one after another), so consecutive threads read
    /// consecutive elements of one source and write consecutive elements of the destination.
    /// </summary>
    public static void Gather<T>(Index1D thread, int threads, GatherTable<T> table, ArrayView<T> dst)
        where T : unmanaged
    {
        for (int i = thread; i < table.Total; i += threads)
        {
            int k = table.Part(i);
            int j = i - table.Start(k);
            dst[table.Offset(k) + j] = table.Source(k)[j];
        }
    }

    /// <summary>
    /// Host entry: copies the elements of an extents-<paramref name="dims"/> block from
    /// <paramref name="src"/> to <paramref name="dst"/> with the given strides and offsets (in
    /// elements). The caller has checked bounds via <see cref="Shape"/>; this checks them again, since
    /// an out-of-bounds access on the CPU accelerator kills the process.
    /// </summary>
    internal static void Copy(Tensor src, Tensor dst, int[] dims, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset)
    {
        if (src.DType != dst.DType)
            throw new InvalidOperationException($"copy between dtypes {src.DType.Name()} and {dst.DType.Name()}");
        if (dims.Any(d => d == 0)) return;
        CheckBounds(src, dims, srcStrides, srcOffset);
        CheckBounds(dst, dims, dstStrides, dstOffset);
        var map = StridedIndex.Create(dims, srcStrides, dstStrides, srcOffset, dstOffset);
        int count = new Shape(dims).Numel;
        src.Device.Backend.Copy(src, dst, count, map);
    }

    private static void CheckBounds(Tensor t, int[] dims, int[] strides, int offset)
    {
        long max = offset;
        for (int k = 0; k < dims.Length; k++) max += (long)(dims[k] - 1) * strides[k];
        if (offset < 0 || max >= t.Numel)
            throw new ShapeException($"strided copy of extents [{string.Join(", ", dims)}] reaches element {max} of {t} ({t.Numel} elements)");
    }
}
