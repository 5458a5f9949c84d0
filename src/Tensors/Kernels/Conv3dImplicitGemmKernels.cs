using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>Where the tiled convolution finds weight (input channel, tap, output channel) of its GEMM's B operand.</summary>
public interface IConvWeightLayout
{
    /// <summary>Offset in the weight tensor of B[(cIn, tap), cOut] for a convolution of geometry <paramref name="g"/> with <paramref name="taps"/> = K^3.</summary>
    int Offset(in ConvGeometry g, int cIn, int tap, int cOut, int taps);
}

/// <summary>Conv3d's own weight w [Cy, Cx, K, K, K]: <c>B[(ci, tap), co] = w[co, ci, tap]</c>.</summary>
public struct ForwardWeights : IConvWeightLayout
{
    /// <inheritdoc />
    public readonly int Offset(in ConvGeometry g, int cIn, int tap, int cOut, int taps) => (cOut * g.Cx + cIn) * taps + tap;
}

/// <summary>
/// The stride-1 transposed convolution as a convolution: with y as the input (g.Cx = y's channels) and x as the output
/// (g.Cy = x's channels), padding K-1-P and the kernel flipped on all three axes (which reverses the linear tap index),
/// <c>B[(co, tap), ci] = w[co, ci, K^3-1-tap]</c> of the original weight [y channels, x channels, K, K, K].
/// </summary>
public struct FlippedTransposedWeights : IConvWeightLayout
{
    /// <inheritdoc />
    public readonly int Offset(in ConvGeometry g, int cIn, int tap, int cOut, int taps) => (cIn * g.Cy + cOut) * taps + (taps - 1 - tap);
}

/// <summary>
/// <see cref="Conv3dKernels.Forward{T}"/> as a tiled implicit GEMM with shared memory (explicitly grouped: the tile edge
/// is the group's edge, chosen at launch). The convolution is the product C = A B with
/// M = N*YD*YH*YW rows (output voxels m = (n, od, oh, ow)), Cy columns (output channels) and an inner dimension of
/// Cx*K^3 (taps kk = (ci, kd, kh, kw)): <c>A[m, kk] = x[n, ci, od*S-P+kd, oh*S-P+kh, ow*S-P+kw]</c> (0 outside x) and
/// B[kk, co] from the weight layout (<see cref="IConvWeightLayout"/>). A group of T x T threads computes a T x T block of C; for each run of
/// T taps it stages the T x T pieces of A (gathered from x) and B in shared memory once, and every thread then reads
/// T values of each from there instead of global memory: x is read Cy / T times less often than by the gather.
/// With <see cref="FlippedTransposedWeights"/> the same kernel computes the stride-1 transposed convolution.
/// </summary>
public static class Conv3dImplicitGemmKernels
{
    /// <summary>
    /// Thread (tx, ty) of group (bx, by) computes <c>y[n, co, od, oh, ow]</c> for m = bx*T + tx and co = by*T + ty,
    /// summing A[m, kk] B[kk, co] over kk in ascending order (for <see cref="ForwardWeights"/> the order of the
    /// reference, so the same bits for finite weights: padding taps beyond Cx*K^3 and voxels outside x add exact
    /// zeros). Dynamic shared memory: 2 T^2 elements (the A tile [tx][j], then the B tile [j][ty]). Consecutive tx are
    /// consecutive ow, so loads of x and stores of y are coalesced.
    /// </summary>
    public static void Convolve<T, TWeights>(ArrayView<T> x, ArrayView<T> w, ArrayView<T> y, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TWeights : struct, IConvWeightLayout
    {
        int tile = Group.DimX, tx = Group.IdxX, ty = Group.IdxY;
        var shared = SharedMemory.GetDynamic<T>();
        var a = shared.SubView(0, tile * tile);
        var b = shared.SubView(tile * tile, tile * tile);
        int k3 = g.K * g.K * g.K, inner = g.Cx * k3, spatial = g.YD * g.YH * g.YW;
        int m = Grid.IdxX * tile + tx, co = Grid.IdxY * tile + ty;
        bool row = m < g.N * spatial;
        int n = 0, od = 0, oh = 0, ow = 0;
        if (row)
        {
            ow = m % g.YW;
            int t = m / g.YW;
            oh = t % g.YH; t /= g.YH;
            od = t % g.YD; n = t / g.YD;
        }
        T acc = T.Zero;
        for (int k0 = 0; k0 < inner; k0 += tile)
        {
            // Thread (tx, ty) stages A[m, k0 + ty] (its own row) and B[k0 + tx, co] (its own column).
            int kk = k0 + ty;
            T av = T.Zero;
            if (row && kk < inner)
            {
                int kw = kk % g.K, t = kk / g.K, kh = t % g.K; t /= g.K;
                int kd = t % g.K, ci = t / g.K;
                int id = od * g.S - g.P + kd, ih = oh * g.S - g.P + kh, iw = ow * g.S - g.P + kw;
                if (id >= 0 && id < g.XD && ih >= 0 && ih < g.XH && iw >= 0 && iw < g.XW)
                    av = x[(((n * g.Cx + ci) * g.XD + id) * g.XH + ih) * g.XW + iw];
            }
            a[tx * tile + ty] = av;
            int kb = k0 + tx;
            b[tx * tile + ty] = co < g.Cy && kb < inner ? w[default(TWeights).Offset(g, kb / k3, kb % k3, co, k3)] : T.Zero;
            Group.Barrier();
            for (int j = 0; j < tile; j++) acc += a[tx * tile + j] * b[j * tile + ty];
            Group.Barrier();
        }
        if (row && co < g.Cy) y[(n * g.Cy + co) * spatial + (od * g.YH + oh) * g.YW + ow] = acc;
    }

    /// <summary>
    /// <see cref="Conv3dKernels.WeightGradient{T}"/> as a tiled GEMM, split-K over grid z: slice q = Grid.IdxZ computes
    /// <c>partial[q, co, kk] = sum_m y[m, co] A[m, kk]</c> over the output voxels m = (n, od, oh, ow) of the (n, od) pairs
    /// q*ceil(N*YD/Parts) &lt;= n*YD + od &lt; (q+1)*ceil(N*YD/Parts) (the reference's slices), A as in
    /// <see cref="Convolve{T, TWeights}"/>. Thread (tx, ty) of group (bx, by) owns kk = bx*T + tx and co = by*T + ty; per
    /// run of T voxels the group stages y[m, co-tile] and A[m, kk-tile] in shared memory. The voxels are summed in
    /// ascending order, as by the reference, so the same bits.
    /// </summary>
    public static void WeightGradient<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> partial, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int tile = Group.DimX, tx = Group.IdxX, ty = Group.IdxY, q = Grid.IdxZ;
        var shared = SharedMemory.GetDynamic<T>();
        var ys = shared.SubView(0, tile * tile);
        var xs = shared.SubView(tile * tile, tile * tile);
        int k3 = g.K * g.K * g.K, inner = g.Cx * k3, plane = g.YH * g.YW, spatial = g.YD * plane;
        int pairs = g.N * g.YD, chunk = (pairs + g.Parts - 1) / g.Parts;
        int first = q * chunk * plane, end = Math.Min(pairs, (q + 1) * chunk) * plane;
        int kk = Grid.IdxX * tile + tx, co = Grid.IdxY * tile + ty;
        // The tap of this thread's column, which it also gathers when it stages A.
        int kw = kk % g.K, t0 = kk / g.K, kh = t0 % g.K; t0 /= g.K;
        int kd = t0 % g.K, ci = t0 / g.K;
        T acc = T.Zero;
        for (int m0 = first; m0 < end; m0 += tile)
        {
            // Thread (tx, ty) stages y[m0 + tx, by*T + ty] and A[m0 + ty, kk].
            int my = m0 + tx, cy = Grid.IdxY * tile + ty;
            T yv = T.Zero;
            if (my < end && cy < g.Cy)
            {
                int n = my / spatial, s = my - n * spatial;
                yv = y[(n * g.Cy + cy) * spatial + s];
            }
            ys[tx * tile + ty] = yv;
            int mx = m0 + ty;
            T xv = T.Zero;
            if (mx < end && kk < inner)
            {
                int n = mx / spatial, s = mx - n * spatial;
                int od = s / plane, r = s - od * plane, oh = r / g.YW, ow = r - oh * g.YW;
                int id = od * g.S - g.P + kd, ih = oh * g.S - g.P + kh, iw = ow * g.S - g.P + kw;
                if (id >= 0 && id < g.XD && ih >= 0 && ih < g.XH && iw >= 0 && iw < g.XW)
                    xv = x[(((n * g.Cx + ci) * g.XD + id) * g.XH + ih) * g.XW + iw];
            }
            xs[ty * tile + tx] = xv;
            Group.Barrier();
            for (int j = 0; j < tile; j++) acc += ys[j * tile + ty] * xs[j * tile + tx];
            Group.Barrier();
        }
        if (kk < inner && co < g.Cy) partial[(q * g.Cy + co) * inner + kk] = acc;
    }
}
