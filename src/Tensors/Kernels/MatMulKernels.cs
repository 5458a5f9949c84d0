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
    /// with the index layout of <see cref="MatMulLayout"/>; C is [Batch, M, N] row-major.
    /// </summary>
    public static void Naive<T>(Index1D thread, int threads, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, MatMulLayout l)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = thread; r < c.IntLength; r += threads)
        {
            int j = r % l.N, t = r / l.N, i = t % l.M, bt = t / l.M;
            int ia = bt * l.BatchA + i * l.RowA, ib = bt * l.BatchB + j * l.ColB;
            T acc = T.Zero;
            for (int k = 0; k < l.K; k++) acc += a[ia + k * l.ColA] * b[ib + k * l.RowB];
            c[r] = acc;
        }
    }
}
