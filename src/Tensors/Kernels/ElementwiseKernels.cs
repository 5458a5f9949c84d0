using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Elementwise kernels. All are grid-stride loops: thread t of <c>threads</c> handles elements
/// t, t + threads, t + 2*threads, ... (coalesced on a GPU, few simulated threads on the CPU).
/// </summary>
public static class ElementwiseKernels
{
    /// <summary><c>y[i] = op(x[i]; s)</c> for contiguous x and y of equal length.</summary>
    public static void Map<T, TOp>(Index1D thread, int threads, ArrayView<T> x, ArrayView<T> y, T s, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp
    {
        for (int i = thread; i < y.IntLength; i += threads) y[i] = op.Apply(x[i], s);
    }

    /// <summary>
    /// <c>y[i] = op(a[map.OffsetOfA(i)], b[map.OffsetOfB(i)]; s)</c> for i &lt; y.Length, y contiguous;
    /// broadcasting is a zero stride in <paramref name="map"/> (see <see cref="StridedIndex"/>).
    /// </summary>
    public static void Zip<T, TOp>(Index1D thread, int threads, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y,
        StridedIndex map, T s, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp
    {
        for (int i = thread; i < y.IntLength; i += threads) y[i] = op.Apply(a[map.OffsetOfA(i)], b[map.OffsetOfB(i)], s);
    }
}
