using System.Numerics;
using System.Runtime.Intrinsics;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal sealed unsafe partial class HostBackend
{
    public void Map<TOp>(Tensor x, Tensor y, double s) where TOp : struct, IUnaryOp
    {
        if (x.DType == DType.Float32) Map<float, TOp>(x.Data<float>(), y.Data<float>(), y.Numel, (float)s);
        else Map<double, TOp>(x.Data<double>(), y.Data<double>(), y.Numel, s);
    }

    /// <summary><c>y[i] = op(x[i]; s)</c> (<see cref="ElementwiseKernels.Map{T, TOp}"/>), a vector of lanes at a time.</summary>
    private static void Map<T, TOp>(T* x, T* y, int n, T s) where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOp
    {
        HostParallel.For(n, ElementGrain, (i0, i1) =>
        {
            TOp op = default;
            var vs = Vector512.Create(s);
            long i = i0;
            for (; i + Vector512<T>.Count <= i1; i += Vector512<T>.Count) op.Apply(Vector512.Load(x + i), vs).Store(y + i);
            for (; i < i1; i++) y[i] = op.Apply(x[i], s);
        });
    }

    public void Zip<TOp>(Tensor a, Tensor b, Tensor y, StridedIndex map, double s) where TOp : struct, IBinaryOp
    {
        if (a.DType == DType.Float32) Zip<float, TOp>(a.Data<float>(), b.Data<float>(), y.Data<float>(), y.Numel, map, (float)s);
        else Zip<double, TOp>(a.Data<double>(), b.Data<double>(), y.Data<double>(), y.Numel, map, s);
    }

    /// <summary>
    /// <c>y[i] = op(a[map.OffsetOfA(i)], b[map.OffsetOfB(i)]; s)</c> (<see cref="ElementwiseKernels.Zip{T, TOp}"/>) one
    /// innermost row at a time: a row whose operand strides are 1 or 0 (broadcast) runs in vector lanes.
    /// </summary>
    private static void Zip<T, TOp>(T* a, T* b, T* y, int n, StridedIndex map, T s) where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOp
    {
        int row = map.D5;
        HostParallel.ForRows(n / row, row, ElementGrain, (r, k0, k1) =>
        {
            TOp op = default;
            var vs = Vector512.Create(s);
            int start = (int)r * row;
            T* pa = a + map.OffsetOfA(start), pb = b + map.OffsetOfB(start), py = y + start;
            int k = k0;
            if (map.A5 is 0 or 1 && map.B5 is 0 or 1)
                for (; k + Vector512<T>.Count <= k1; k += Vector512<T>.Count)
                {
                    var va = map.A5 == 1 ? Vector512.Load(pa + k) : Vector512.Create(*pa);
                    var vb = map.B5 == 1 ? Vector512.Load(pb + k) : Vector512.Create(*pb);
                    op.Apply(va, vb, vs).Store(py + k);
                }
            for (; k < k1; k++) py[k] = op.Apply(pa[k * map.A5], pb[k * map.B5], s);
        });
    }

    public void ReduceAxis<TOp>(Tensor x, Tensor y, int length, int inner) where TOp : struct, IReduceOp
    {
        if (x.DType == DType.Float32) ReduceAxis<float, TOp>(x.Data<float>(), y.Data<float>(), y.Numel / inner, length, inner);
        else ReduceAxis<double, TOp>(x.Data<double>(), y.Data<double>(), y.Numel / inner, length, inner);
    }

    /// <summary>
    /// <c>y[o, j] = reduce_k x[o, k, j]</c> for x [outer, length, inner] (<see cref="ReductionKernels.Axis{T, TOp}"/>):
    /// contiguous rows (inner = 1) fold in vector lanes; otherwise whole rows of inner values combine at once.
    /// </summary>
    private static void ReduceAxis<T, TOp>(T* x, T* y, int outer, int length, int inner) where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        if (inner == 1)
        {
            HostParallel.For(outer, Math.Max(1, ElementGrain / length), (o0, o1) =>
            {
                for (long o = o0; o < o1; o++) y[o] = Fold<T, TOp>(x + o * length, length);
            });
            return;
        }
        // Work items are (o, block of inner): outer may be 1 (summing a batch axis away). A chunk holds at least
        // ElementGrain elements' work, so tiny reductions (a statistic over a few volumes) stay on the calling thread.
        int block = Math.Max(Vector512<T>.Count, (int)Math.Min(inner, ElementGrain / Math.Max(1, length)));
        int blocks = (inner + block - 1) / block;
        HostParallel.For((long)outer * blocks, Math.Max(1, ElementGrain / ((long)length * block)), (w0, w1) =>
        {
            TOp op = default;
            for (long w = w0; w < w1; w++)
            {
                long o = w / blocks;
                int j0 = (int)(w % blocks) * block, j1 = Math.Min(inner, j0 + block);
                T* dst = y + o * inner;
                for (int j = j0; j < j1; j++) dst[j] = op.Identity<T>();
                for (int k = 0; k < length; k++)
                {
                    T* src = x + (o * length + k) * inner;
                    int j = j0;
                    for (; j + Vector512<T>.Count <= j1; j += Vector512<T>.Count)
                        op.Combine(Vector512.Load(dst + j), Vector512.Load(src + j)).Store(dst + j);
                    for (; j < j1; j++) dst[j] = op.Combine(dst[j], src[j]);
                }
            }
        });
    }

    public void ReduceAround<TOp>(Tensor x, Tensor y, int outer, int inner) where TOp : struct, IReduceOp
    {
        if (x.DType == DType.Float32) ReduceAround<float, TOp>(x.Data<float>(), y.Data<float>(), outer, y.Numel, inner);
        else ReduceAround<double, TOp>(x.Data<double>(), y.Data<double>(), outer, y.Numel, inner);
    }

    /// <summary>
    /// <c>y[c] = reduce_{o, j} x[o, c, j]</c> for x [outer, middle, inner] (<see cref="ReductionKernels.Around{T, TOp}"/>):
    /// channels over the cores, each row of inner values folded in vector lanes, the rows combined in order of o.
    /// </summary>
    private static void ReduceAround<T, TOp>(T* x, T* y, int outer, int middle, int inner) where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        HostParallel.For(middle, Math.Max(1, ElementGrain / Math.Max(1L, (long)outer * inner)), (c0, c1) =>
        {
            TOp op = default;
            for (long c = c0; c < c1; c++)
            {
                T acc = op.Identity<T>();
                for (long o = 0; o < outer; o++) acc = op.Combine(acc, Fold<T, TOp>(x + (o * middle + c) * inner, inner));
                y[c] = acc;
            }
        });
    }

    public void ReduceAll<TOp>(Tensor x, Tensor y) where TOp : struct, IReduceOp
    {
        if (x.DType == DType.Float32) *y.Data<float>() = ReduceAll<float, TOp>(x.Data<float>(), x.Numel);
        else *y.Data<double>() = ReduceAll<double, TOp>(x.Data<double>(), x.Numel);
    }

    /// <summary>Fold of n elements: per-chunk vector folds over all cores, then the chunk results in order.</summary>
    private static T ReduceAll<T, TOp>(T* x, int n) where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        const int chunk = 1 << 16;
        int chunks = (n + chunk - 1) / chunk;
        var partial = new T[chunks];
        HostParallel.For(chunks, 1, (c0, c1) =>
        {
            for (long c = c0; c < c1; c++) partial[c] = Fold<T, TOp>(x + c * chunk, (int)Math.Min(chunk, n - c * chunk));
        });
        TOp op = default;
        T acc = op.Identity<T>();
        foreach (var p in partial) acc = op.Combine(acc, p);
        return acc;
    }

    /// <summary>Folds n contiguous elements with four vector accumulators (independent FMA chains), then their lanes.</summary>
    private static T Fold<T, TOp>(T* x, int n) where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IReduceOp
    {
        TOp op = default;
        int w = Vector512<T>.Count, i = 0;
        var id = Vector512.Create(op.Identity<T>());
        var (a0, a1, a2, a3) = (id, id, id, id);
        for (; i + 4 * w <= n; i += 4 * w)
        {
            a0 = op.Combine(a0, Vector512.Load(x + i));
            a1 = op.Combine(a1, Vector512.Load(x + i + w));
            a2 = op.Combine(a2, Vector512.Load(x + i + 2 * w));
            a3 = op.Combine(a3, Vector512.Load(x + i + 3 * w));
        }
        var v = op.Combine(op.Combine(a0, a1), op.Combine(a2, a3));
        T acc = op.Identity<T>();
        for (int l = 0; l < w; l++) acc = op.Combine(acc, v.GetElement(l));
        for (; i < n; i++) acc = op.Combine(acc, x[i]);
        return acc;
    }

    public void AvgPool3d(Tensor x, Tensor y, ConvGeometry g, double scale)
    {
        if (x.DType == DType.Float32) Pool(x.Data<float>(), y.Data<float>(), g, (float)scale, y.Numel / (g.YD * g.YH * g.YW));
        else Pool(x.Data<double>(), y.Data<double>(), g, scale, y.Numel / (g.YD * g.YH * g.YW));
    }

    /// <summary><see cref="Pool3dKernels.Average{T}"/> with work items (channel, output plane).</summary>
    private static void Pool<T>(T* x, T* y, ConvGeometry g, T scale, int channels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        HostParallel.For((long)channels * g.YD, Math.Max(1, ElementGrain / (g.YH * g.YW * g.K * g.K * g.K)), (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long c = p / g.YD, od = p % g.YD;
                for (int oh = 0; oh < g.YH; oh++)
                    for (int ow = 0; ow < g.YW; ow++)
                    {
                        T acc = T.Zero;
                        for (int kd = 0; kd < g.K; kd++)
                            for (int kh = 0; kh < g.K; kh++)
                            {
                                T* row = x + ((c * g.XD + od * g.K + kd) * g.XH + oh * g.K + kh) * g.XW + ow * g.K;
                                for (int kw = 0; kw < g.K; kw++) acc += row[kw];
                            }
                        y[((c * g.YD + od) * g.YH + oh) * g.YW + ow] = acc * scale;
                    }
            }
        });
    }

    public void Upsample3d(Tensor y, Tensor x, ConvGeometry g, double scale)
    {
        if (y.DType == DType.Float32) Upsample(y.Data<float>(), x.Data<float>(), g, (float)scale, x.Numel / (g.XD * g.XH * g.XW));
        else Upsample(y.Data<double>(), x.Data<double>(), g, scale, x.Numel / (g.XD * g.XH * g.XW));
    }

    /// <summary><see cref="Pool3dKernels.Upsample{T}"/> with work items (channel, fine plane).</summary>
    private static void Upsample<T>(T* y, T* x, ConvGeometry g, T scale, int channels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        HostParallel.For((long)channels * g.XD, Math.Max(1, ElementGrain / (g.XH * g.XW)), (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long c = p / g.XD, id = p % g.XD;
                for (int ih = 0; ih < g.XH; ih++)
                {
                    T* src = y + ((c * g.YD + id / g.K) * g.YH + ih / g.K) * g.YW;
                    T* dst = x + ((c * g.XD + id) * g.XH + ih) * g.XW;
                    for (int iw = 0; iw < g.XW; iw++) dst[iw] = src[iw / g.K] * scale;
                }
            }
        });
    }
}
