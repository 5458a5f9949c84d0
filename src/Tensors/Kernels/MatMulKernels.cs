using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Strides (in elements) of a batched matrix product C[b] = A[b] B[b], A[b] of M x K, B[b] of K x N,
/// C contiguous [batch, M, N]. Transposes are swapped strides; a batch stride of 0 broadcasts an
/// operand over the batch.
/// </summary>
public struct MatMulLayout
{
#pragma warning disable CS1591
    public int Batch, M, N, K;
    public int BatchA, RowA, ColA; // A[b, i, k] = a[b*BatchA + i*RowA + k*ColA]
    public int BatchB, RowB, ColB; // B[b, k, j] = b[b*BatchB + k*RowB + j*ColB]
#pragma warning restore CS1591
}

/// <summary>Batched matrix multiplication.</summary>
public static class MatMulKernels
{
    /// <summary>
    /// Reference form, one output per thread-iteration: <c>C[b,i,j] = sum_k A[b,i,k] B[b,k,j]</c>
    /// with the index layout of <see cref="MatMulLayout"/>; C is [Batch, M, N] row-major; each sum passed through
    /// <paramref name="epilogue"/> with channel j (a dense layer's bias is per column).
    /// </summary>
    public static void Naive<T>(Index1D thread, int threads, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, MatMulLayout l, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < c.IntLength; r += threads)
        {
            int j = r % l.N, t = r / l.N, i = t % l.M, bt = t / l.M;
            int ia = bt * l.BatchA + i * l.RowA, ib = bt * l.BatchB + j * l.ColB;
            T acc = T.Zero;
            for (int k = 0; k < l.K; k++) acc += a[ia + k * l.ColA] * b[ib + k * l.RowB];
            c[r] = epilogue.Apply(acc, r, j);
        }
    }

    /// <summary>
    /// <see cref="Naive{T}"/> for few outputs over a long inner dimension (the mapping network's products, 8 x 128 outputs
    /// over 128 terms, where one thread per output leaves a GPU idle and each thread walks every term in sequence): output
    /// <c>r = Grid.IdxX * Group.DimY + Group.IdxY</c>, lane t of the L = Group.DimX lanes (a power of two) sums the terms
    /// k = t, t + L, t + 2L, ... in ascending order, then the L partial sums are added by <see cref="GroupTree{T, TOp}"/> in the output's row of shared memory
    /// (Group.DimX x Group.DimY elements of dynamic shared memory). Another order of
    /// addition than the reference's, so equal within rounding, not bit for bit. Lane 0 stores the sum through
    /// <paramref name="epilogue"/> (channel j).
    /// </summary>
    public static void SplitInner<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, MatMulLayout l, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lanes = Group.DimX, t = Group.IdxX, row = Group.IdxY * lanes, r = Grid.IdxX * Group.DimY + Group.IdxY;
        var partial = SharedMemory.GetDynamic<T>();
        T acc = T.Zero;
        if (r < c.IntLength)
        {
            int j = r % l.N, q = r / l.N, i = q % l.M, bt = q / l.M;
            int ia = bt * l.BatchA + i * l.RowA, ib = bt * l.BatchB + j * l.ColB;
            for (int k = t; k < l.K; k += lanes) acc += a[ia + k * l.ColA] * b[ib + k * l.RowB];
        }
        // Each output's lanes combine in their own row of the shared memory; the tree's barriers are the whole group's.
        var sum = GroupTree<T, SumReduce>.Combine(partial.SubView(row, lanes), t, lanes, acc);
        if (t == 0 && r < c.IntLength) c[r] = epilogue.Apply(sum, r, r % l.N);
    }
}
