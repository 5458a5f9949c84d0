using ILGPU;
using ILGPU.Runtime;
using System.Numerics;
using VoxelGan.Tensors.Kernels;
using Half = ILGPU.Half;

namespace VoxelGan.Tensors.Ilgpu;

internal sealed partial class IlgpuBackend
{
    public void Fill(Tensor y, double value)
    {
        switch (y.DType)
        {
            case DType.Float32: Launch(FillKernels.Constant, y.Numel, y.View<float>(), (float)value); break;
            case DType.Float64: Launch(FillKernels.Constant, y.Numel, y.View<double>(), value); break;
            default: Launch(FillKernels.Constant, y.Numel, y.View<Half>(), HalfRounding.FromSingle((float)value)); break;
        }
    }

    public void Copy(Tensor source, Tensor destination, int count, StridedIndex map)
    {
        switch (source.DType)
        {
            case DType.Float32: Launch(CopyKernels.Strided, count, count, source.View<float>(), destination.View<float>(), map); break;
            case DType.Float64: Launch(CopyKernels.Strided, count, count, source.View<double>(), destination.View<double>(), map); break;
            default: Launch(CopyKernels.Strided, count, count, source.View<Half>(), destination.View<Half>(), map); break;
        }
    }

    public void Gather(Tensor destination, IReadOnlyList<(Tensor Source, int Offset)> parts)
    {
        switch (destination.DType)
        {
            case DType.Float32: Gather(destination.View<float>(), parts); break;
            case DType.Float64: Gather(destination.View<double>(), parts); break;
            default: Gather(destination.View<Half>(), parts); break;
        }
    }

    /// <summary>One launch per <see cref="GatherTable{T}.Capacity"/> non-empty parts; the reference: one strided copy per part.</summary>
    private void Gather<T>(ArrayView<T> destination, IReadOnlyList<(Tensor Source, int Offset)> parts) where T : unmanaged
    {
        var nonEmpty = parts.Where(p => p.Source.Numel > 0).ToArray();
        if (ReferenceKernels)
        {
            foreach (var (source, offset) in nonEmpty)
                Launch(CopyKernels.Strided, source.Numel, source.Numel, source.View<T>(), destination.SubView(offset, source.Numel),
                    StridedIndex.Create([source.Numel], [1], [1]));
            return;
        }
        foreach (var chunk in nonEmpty.Chunk(GatherTable<T>.Capacity))
        {
            var table = GatherTable<T>.Of(chunk.Select(p => (p.Source.View<T>(), p.Offset)).ToArray());
            Launch(CopyKernels.Gather, table.Total, table, destination);
        }
    }

    public void Cast(Tensor x, Tensor y)
    {
        switch ((x.DType, y.DType))
        {
            case (DType.Float32, DType.Float64): Convert<float, double, SingleToDouble>(x, y); break;
            case (DType.Float64, DType.Float32): Convert<double, float, DoubleToSingle>(x, y); break;
            case (DType.Float32, DType.Float16): Convert<float, Half, SingleToHalf>(x, y); break;
            case (DType.Float16, DType.Float32): Convert<Half, float, HalfToSingle>(x, y); break;
            case (DType.Float64, DType.Float16): Convert<double, Half, DoubleToHalf>(x, y); break;
            case (DType.Float16, DType.Float64): Convert<Half, double, HalfToDouble>(x, y); break;
            default: throw new NotSupportedException($"cast from {x.DType.Name()} to {y.DType.Name()}");
        }
    }

    private void Convert<TFrom, TTo, TConv>(Tensor x, Tensor y)
        where TFrom : unmanaged where TTo : unmanaged where TConv : struct, IConvert<TFrom, TTo> =>
        Launch(CastKernels.Convert<TFrom, TTo, TConv>, y.Numel, x.View<TFrom>(), y.View<TTo>(), default(TConv));

    public void Map<TOp>(Tensor x, Tensor y, double s) where TOp : struct, IUnaryOp
    {
        if (IsSingle(x)) Launch(ElementwiseKernels.Map<float, TOp>, y.Numel, x.View<float>(), y.View<float>(), (float)s, default(TOp));
        else Launch(ElementwiseKernels.Map<double, TOp>, y.Numel, x.View<double>(), y.View<double>(), s, default(TOp));
    }

    public void Zip<TOp>(Tensor a, Tensor b, Tensor y, StridedIndex map, double s) where TOp : struct, IBinaryOp
    {
        if (IsSingle(a)) Launch(ElementwiseKernels.Zip<float, TOp>, y.Numel, a.View<float>(), b.View<float>(), y.View<float>(), map, (float)s, default(TOp));
        else Launch(ElementwiseKernels.Zip<double, TOp>, y.Numel, a.View<double>(), b.View<double>(), y.View<double>(), map, s, default(TOp));
    }

    public void ReduceAxis<TOp>(Tensor x, Tensor y, int length, int inner) where TOp : struct, IReduceOp =>
        Reduce<TOp>(x, y, length, inner, x.Numel, byGroup: true);

    public void ReduceAround<TOp>(Tensor x, Tensor y, int outer, int inner) where TOp : struct, IReduceOp
    {
        if ((long)outer * y.Numel * inner != x.Numel)
            throw new ShapeException($"reduction of {x.Numel} elements as {outer} x {y.Numel} x {inner} does not cover them");
        if (GroupPerOutput(x, y.Numel, (long)outer * inner) is { } config)
        {
            // Parts per output: together about four times SplitKBelowGroups groups (by default eight per multiprocessor, a
            // full wave of 256-thread groups), each thread folding at least 8 elements; then the parts are added in order.
            int middle = y.Numel, group = config.GroupDim.X;
            int parts = (int)Math.Clamp((4L * SplitKBelowGroups + middle - 1) / middle, 1, Math.Max(1, (long)outer * inner / (8L * group)));
            if (parts == 1)
            {
                LaunchAround(y, config);
                return;
            }
            using var partial = Tensor.Empty(new Shape(parts, middle), y.DType, y.Device);
            LaunchAround(partial, new KernelConfig(new Index3D(middle, parts, 1), config.GroupDim, config.SharedMemoryConfig));
            Reduce<TOp>(partial, y, parts, middle, partial.Numel, byGroup: false);
            return;

            void LaunchAround(Tensor target, KernelConfig c)
            {
                if (IsSingle(x)) LaunchGrouped(ReductionKernels.AroundByGroup<float, TOp>, c, x.View<float>(), target.View<float>(), outer, middle, inner);
                else LaunchGrouped(ReductionKernels.AroundByGroup<double, TOp>, c, x.View<double>(), target.View<double>(), outer, middle, inner);
            }
        }
        if (IsSingle(x)) Launch(ReductionKernels.Around<float, TOp>, y.Numel, x.View<float>(), y.View<float>(), outer, inner, default(TOp));
        else Launch(ReductionKernels.Around<double, TOp>, y.Numel, x.View<double>(), y.View<double>(), outer, inner, default(TOp));
    }

    public void ReduceAll<TOp>(Tensor x, Tensor y) where TOp : struct, IReduceOp
    {
        int n = x.Numel;
        // Stage 1: P strided partials (coalesced reads on a GPU), stage 2: one group (or thread) folds them.
        int partials = Math.Clamp(n / 64, 1, _maxThreads * 8);
        using var partial = Tensor.Empty(new Shape(partials), x.DType, x.Device);
        Reduce<TOp>(x, partial, (n + partials - 1) / partials, partials, n, byGroup: true);
        Reduce<TOp>(partial, y, partials, 1, partials, byGroup: true);
    }

    /// <summary>
    /// y = reduce over the middle axis of x viewed as (y.Numel / inner, length, inner), the first
    /// <paramref name="count"/> elements of x. <paramref name="byGroup"/> allows a group per output where that pays;
    /// false keeps the one-thread-per-output order whatever the kernels (the weight gradient's split-K slices, so
    /// that its fast and reference kernels give the same bits).
    /// </summary>
    private void Reduce<TOp>(Tensor x, Tensor y, int length, int inner, int count, bool byGroup) where TOp : struct, IReduceOp
    {
        if ((long)y.Numel * length * inner < count || x.Numel < count)
            throw new ShapeException($"reduction of {x.Numel} elements as {y.Numel} x {length} x {inner} (count {count}) is out of bounds");
        if (byGroup && GroupPerOutput(x, y.Numel, length) is { } config)
        {
            if (IsSingle(x)) LaunchGrouped(ReductionKernels.AxisByGroup<float, TOp>, config, x.View<float>(), y.View<float>(), length, inner, count);
            else LaunchGrouped(ReductionKernels.AxisByGroup<double, TOp>, config, x.View<double>(), y.View<double>(), length, inner, count);
            return;
        }
        if (IsSingle(x)) Launch(ReductionKernels.Axis<float, TOp>, y.Numel, x.View<float>(), y.View<float>(), length, inner, count, default(TOp));
        else Launch(ReductionKernels.Axis<double, TOp>, y.Numel, x.View<double>(), y.View<double>(), length, inner, count, default(TOp));
    }

    /// <summary>
    /// The launch of a group-per-output reduction (<see cref="ReductionKernels.AxisByGroup{T, TOp}"/>,
    /// <see cref="ReductionKernels.AroundByGroup{T, TOp}"/>: one group of tile^2 threads per output, a tree of that many
    /// elements in shared memory), or null where one thread per output is the better choice: groups too small to tile,
    /// reference kernels asked for, fewer than a group's worth of elements per output, or as many outputs as threads.
    /// </summary>
    private KernelConfig? GroupPerOutput(Tensor x, int outputs, long perOutput)
    {
        int group = _tile * _tile;
        if (group == 0 || ReferenceKernels || perOutput < group || outputs >= _maxThreads) return null;
        return new KernelConfig(new Index3D(outputs, 1, 1), new Index3D(group, 1, 1),
            IsSingle(x) ? SharedMemoryConfig.RequestDynamic<float>(group) : SharedMemoryConfig.RequestDynamic<double>(group));
    }

    public void MatMul(Tensor a, Tensor b, Tensor c, MatMulLayout layout, LayerEpilogue epilogue)
    {
        if (c.Numel == 0) return;
        if (layout.K == 0 && epilogue.IsIdentity) { Fill(c, 0); return; }
        // Fewer outputs than the device holds threads, over at least four terms per lane: a group of lanes per output
        // (warps of 32 on a GPU), so the terms are summed side by side instead of by one thread each.
        int group = _tile * _tile, lanes = Math.Min(32, group);
        if (group > 0 && !ReferenceKernels && layout.K >= 4 * lanes && c.Numel < _maxThreads)
        {
            int outputs = group / lanes;
            var config = new KernelConfig(new Index3D((c.Numel + outputs - 1) / outputs, 1, 1), new Index3D(lanes, outputs, 1),
                IsSingle(a) ? SharedMemoryConfig.RequestDynamic<float>(group) : SharedMemoryConfig.RequestDynamic<double>(group));
            if (IsSingle(a)) LaunchGrouped(MatMulKernels.SplitInner, config, a.View<float>(), b.View<float>(), c.View<float>(), layout, Epilogue<float>(epilogue));
            else LaunchGrouped(MatMulKernels.SplitInner, config, a.View<double>(), b.View<double>(), c.View<double>(), layout, Epilogue<double>(epilogue));
            return;
        }
        if (IsSingle(a)) Launch(MatMulKernels.Naive, c.Numel, a.View<float>(), b.View<float>(), c.View<float>(), layout, Epilogue<float>(epilogue));
        else Launch(MatMulKernels.Naive, c.Numel, a.View<double>(), b.View<double>(), c.View<double>(), layout, Epilogue<double>(epilogue));
    }

    public void Uniform(Tensor y, ulong seed, ulong offset, double low, double high)
    {
        switch (y.DType)
        {
            case DType.Float32: Launch(RandomKernels.Uniform<float, DoubleToSingle>, y.Numel, y.View<float>(), seed, offset, low, high, default(DoubleToSingle)); break;
            case DType.Float64: Launch(RandomKernels.Uniform<double, DoubleToDouble>, y.Numel, y.View<double>(), seed, offset, low, high, default(DoubleToDouble)); break;
            default: Launch(RandomKernels.Uniform<Half, DoubleToHalf>, y.Numel, y.View<Half>(), seed, offset, low, high, default(DoubleToHalf)); break;
        }
    }

    public void Normal(Tensor y, ulong seed, ulong offset, double mean, double std)
    {
        switch (y.DType)
        {
            case DType.Float32: Launch(RandomKernels.Normal<float, DoubleToSingle>, y.Numel, y.View<float>(), seed, offset, mean, std, default(DoubleToSingle)); break;
            case DType.Float64: Launch(RandomKernels.Normal<double, DoubleToDouble>, y.Numel, y.View<double>(), seed, offset, mean, std, default(DoubleToDouble)); break;
            default: Launch(RandomKernels.Normal<Half, DoubleToHalf>, y.Numel, y.View<Half>(), seed, offset, mean, std, default(DoubleToHalf)); break;
        }
    }

    public void Conv3d(Tensor x, Tensor w, Tensor y, ConvGeometry g, LayerEpilogue epilogue)
    {
        if (!Tiled(g.Cy, g.K))
        {
            if (IsSingle(x)) Launch(Conv3dKernels.Forward, y.Numel, x.View<float>(), w.View<float>(), y.View<float>(), g, Epilogue<float>(epilogue));
            else Launch(Conv3dKernels.Forward, y.Numel, x.View<double>(), w.View<double>(), y.View<double>(), g, Epilogue<double>(epilogue));
            return;
        }
        Convolve(x, w, y, new DirectConvolution { Gather = new DirectGather { G = g } }, g.N * g.YD * g.YH * g.YW, g.Cy, g.Cx * g.K * g.K * g.K, 1, epilogue);
    }

    /// <summary>The kernels' form of <paramref name="e"/> (empty views for what it leaves out).</summary>
    private static Epilogue<T> Epilogue<T>(LayerEpilogue e) where T : unmanaged, IFloatingPointIeee754<T> => new()
    {
        Bias = e.Bias is null ? default : e.Bias.View<T>(),
        Residual = e.Residual is null ? default : e.Residual.View<T>(),
        Slope = T.CreateChecked(e.Slope ?? 0),
        Leaky = e.Slope is null ? 0 : 1,
    };

    /// <summary>
    /// Whether a convolution with <paramref name="columns"/> output channels runs as a register-tiled GEMM: where groups
    /// are large enough to tile, reference kernels are not asked for, and there are at least 4 channels (with fewer, a
    /// block of C would be mostly padding columns, and the gather, one thread per output, wastes nothing), with a kernel
    /// edge whose taps pack into <see cref="TapShifts"/>.
    /// </summary>
    private bool Tiled(int columns, int kernel) => _tile > 0 && !ReferenceKernels && columns >= 4 && kernel < TapShifts.Limit;

    /// <summary>
    /// <see cref="Conv3dImplicitGemmKernels.Convolve{T, TConv}"/> over <paramref name="products"/> products (phases) of at
    /// most <paramref name="rows"/> rows, <paramref name="columns"/> columns and an inner dimension of
    /// <paramref name="inner"/>. Where that gives fewer groups than <see cref="SplitKBelowGroups"/> (by default twice the
    /// multiprocessors: the critic's and the generator's 2^3 to 8^3 grids, where a 64 x 64 block per group would leave
    /// most of a GPU idle), the inner dimension
    /// is split into slices of at least 4 steps, each summed into its own partial output, which the last slice of each
    /// block to finish adds up in slice order (one launch: <see cref="InnerSplit{T}"/>).
    /// </summary>
    private void Convolve<TConv>(Tensor input, Tensor w, Tensor output, TConv conv, int rows, int columns, int inner, int products, LayerEpilogue epilogue = default)
        where TConv : struct, IImplicitConvolution
    {
        var blocks = Blocks<float>(rows, columns, products);
        int groups = blocks.GridDim.X * blocks.GridDim.Y * products, steps = (inner + Conv3dImplicitGemmKernels.Depth - 1) / Conv3dImplicitGemmKernels.Depth;
        int wanted = SplitKBelowGroups;
        int slices = groups >= wanted ? 1 : Math.Clamp((wanted + groups - 1) / groups, 1, Math.Max(1, steps / 4));
        // Whole runs of perSlice steps, as the kernel cuts them: as many slices as that takes, so none is left empty.
        int perSlice = (steps + slices - 1) / slices;
        slices = (steps + perSlice - 1) / perSlice;
        using var partials = slices == 1 ? null : Tensor.Empty(new Shape(slices, output.Numel), output.DType, output.Device);
        var config = Blocks<float>(rows, columns, products * slices);
        var counters = slices == 1 ? default : SplitCounters(config.GridDim.X * config.GridDim.Y * products);
        if (IsSingle(input))
            LaunchGrouped(Conv3dImplicitGemmKernels.Convolve<float, TConv>, config, input.View<float>(), w.View<float>(), output.View<float>(), conv, Split<float>(slices, output.Numel, partials, counters), Epilogue<float>(epilogue));
        else
            LaunchGrouped(Conv3dImplicitGemmKernels.Convolve<double, TConv>, Blocks<double>(rows, columns, products * slices), input.View<double>(), w.View<double>(), output.View<double>(), conv, Split<double>(slices, output.Numel, partials, counters), Epilogue<double>(epilogue));
    }

    /// <summary>The split of a tiled kernel into <paramref name="slices"/> slices of <paramref name="stride"/> elements each in <paramref name="partials"/> (null for one slice).</summary>
    private static InnerSplit<T> Split<T>(int slices, int stride, Tensor? partials, ArrayView<int> counters) where T : unmanaged =>
        new() { Slices = slices, Stride = stride, Partials = partials is null ? default : partials.View<T>(), Counters = counters };

    /// <summary>
    /// At least <paramref name="blocks"/> split-K counters, all zero (the kernels leave them so): grown, zeroed once, when
    /// a launch needs more than any before.
    /// </summary>
    private ArrayView<int> SplitCounters(int blocks)
    {
        if (_splitCounters is null || _splitCounters.Length < blocks)
        {
            _splitCounters?.Dispose();
            _splitCounters = _accelerator.Allocate1D<int>(Math.Max(blocks, 1024));
            _splitCounters.View.MemSetToZero(_accelerator.DefaultStream);
        }
        return _splitCounters.View;
    }

    /// <summary>
    /// The launch of a register-tiled GEMM kernel over a C of <paramref name="rows"/> x <paramref name="columns"/> (times
    /// <paramref name="slices"/> split-K slices on grid z): groups of TM x TN threads, each a 4 x 4 block of C, with
    /// <see cref="Conv3dImplicitGemmKernels.Depth"/> (4 TM + 4 TN) elements of shared memory. Square groups (tile x tile)
    /// where there are more than 16 columns, else tall ones (tile^2 / 4 x 4: 16 columns, tile^2 rows of 4) so that narrow
    /// layers (the critic's first block at 16 channels) do not compute mostly padding columns.
    /// </summary>
    private KernelConfig Blocks<T>(int rows, int columns, int slices) where T : unmanaged
    {
        int tn = columns <= 16 ? 4 : _tile, tm = _tile * _tile / tn;
        var grid = new Index3D((rows + 4 * tm - 1) / (4 * tm), (columns + 4 * tn - 1) / (4 * tn), slices);
        return new KernelConfig(grid, new Index3D(tm, tn, 1), SharedMemoryConfig.RequestDynamic<T>(Conv3dImplicitGemmKernels.Depth * 4 * (tm + tn)));
    }

    public void ConvTranspose3d(Tensor y, Tensor w, Tensor x, ConvGeometry g, LayerEpilogue epilogue)
    {
        if (ReferenceKernels)
        {
            if (IsSingle(y)) Launch(Conv3dKernels.Transposed, x.Numel, y.View<float>(), w.View<float>(), x.View<float>(), g, Epilogue<float>(epilogue));
            else Launch(Conv3dKernels.Transposed, x.Numel, y.View<double>(), w.View<double>(), x.View<double>(), g, Epilogue<double>(epilogue));
            return;
        }
        if (g.S == 1 && Tiled(g.Cx, g.K))
        {
            // Stride 1: a convolution of y with the flipped kernel and padding K-1-P (the data gradient of the critic's convolutions).
            var flipped = new ConvGeometry
            {
                N = g.N, Cx = g.Cy, Cy = g.Cx, XD = g.YD, XH = g.YH, XW = g.YW, YD = g.XD, YH = g.XH, YW = g.XW,
                K = g.K, S = 1, P = g.K - 1 - g.P, Parts = 1,
            };
            Convolve(y, w, x, new DirectConvolution { Gather = new DirectGather { G = flipped }, FlippedTransposed = 1 }, g.N * g.XD * g.XH * g.XW, g.Cx, g.Cy * g.K * g.K * g.K, 1, epilogue);
            return;
        }
        if (g.K >= g.S && Tiled(g.Cx, g.K))
        {
            // Strided with a tap in every phase (the generator's kernel 3, stride 2): one GEMM per output phase, all in
            // one launch; phase 0 has the most voxels, ceil(X / S) per axis.
            int Most(int extent) => (extent + g.S - 1) / g.S;
            int taps = (g.K + g.S - 1) / g.S;
            Convolve(y, w, x, new PhaseTransposedConvolution { G = g }, g.N * Most(g.XD) * Most(g.XH) * Most(g.XW), g.Cx, g.Cy * taps * taps * taps, g.S * g.S * g.S, epilogue);
            return;
        }
        if (Tiled(g.Cx, g.K))
        {
            // Kernel below the stride (the skip paths' kernel 1): a 1 x 1 GEMM over the coarse grid for every tap's
            // product (w read as [Cy, Cx K^3]), then each fine voxel picks its tap's product or 0.
            int k3 = g.K * g.K * g.K;
            var taps = new ConvGeometry
            {
                N = g.N, Cx = g.Cy, Cy = g.Cx * k3, XD = g.YD, XH = g.YH, XW = g.YW, YD = g.YD, YH = g.YH, YW = g.YW,
                K = 1, S = 1, P = 0, Parts = 1,
            };
            using var z = Tensor.Empty(new Shape(g.N, g.Cx * k3, g.YD, g.YH, g.YW), y.DType, y.Device);
            Convolve(y, w, z, new DirectConvolution { Gather = new DirectGather { G = taps }, FlippedTransposed = 1 }, g.N * g.YD * g.YH * g.YW, g.Cx * k3, g.Cy, 1);
            if (IsSingle(y)) Launch(ConvTransposeByPhaseKernels.SpreadTaps, x.Numel, z.View<float>(), x.View<float>(), g, Epilogue<float>(epilogue));
            else Launch(ConvTransposeByPhaseKernels.SpreadTaps, x.Numel, z.View<double>(), x.View<double>(), g, Epilogue<double>(epilogue));
            return;
        }
        // Groups too small to tile: the phase gather, which skips the voxels without a tap.
        if (IsSingle(y)) Launch(ConvTransposeByPhaseKernels.Transposed, x.Numel, y.View<float>(), w.View<float>(), x.View<float>(), g, Epilogue<float>(epilogue));
        else Launch(ConvTransposeByPhaseKernels.Transposed, x.Numel, y.View<double>(), w.View<double>(), x.View<double>(), g, Epilogue<double>(epilogue));
    }

    public void Conv3dWeightGrad(Tensor x, Tensor y, Tensor w, ConvGeometry g)
    {
        // Split-K: enough slices for one full wave of tiled threads (16 weights each), at most one per (n, od).
        // (Counted over the weights alone, so that with the bias sums the slices, and so the weights' bits, stay the same.)
        int weights = w.Numel - g.BiasSums * g.Cy;
        g.Parts = (int)Math.Clamp(16L * _maxThreads / Math.Max(weights, 1), 1, Math.Max(1, g.N * g.YD));
        using var partials = g.Parts == 1 ? null : Tensor.Empty(new Shape(g.Parts, w.Numel), x.DType, x.Device);
        if (Tiled(g.Cy, g.K))
        {
            // Blocks of (taps x input channels) by output channels per split-K slice, the slices summed by each block's last.
            // With the bias sums, one tap row more (the bias's).
            int inner = g.Cx * g.K * g.K * g.K + g.BiasSums;
            var config = Blocks<float>(inner, g.Cy, g.Parts);
            var counters = g.Parts == 1 ? default : SplitCounters(config.GridDim.X * config.GridDim.Y);
            int shared = Conv3dImplicitGemmKernels.WeightGradientSharedElements(config.GroupDim.X, config.GroupDim.Y);
            if (4 * config.GroupDim.X > Conv3dImplicitGemmKernels.MaxWeightGradientTaps)
                throw new InvalidOperationException($"weight-gradient groups of {config.GroupDim.X} x {config.GroupDim.Y} own more taps than the kernel's table holds");
            if (IsSingle(x))
                LaunchGrouped(Conv3dImplicitGemmKernels.WeightGradient, new KernelConfig(config.GridDim, config.GroupDim, SharedMemoryConfig.RequestDynamic<float>(shared)),
                    x.View<float>(), y.View<float>(), w.View<float>(), g, Split<float>(g.Parts, w.Numel, partials, counters));
            else
                LaunchGrouped(Conv3dImplicitGemmKernels.WeightGradient, new KernelConfig(config.GridDim, config.GroupDim, SharedMemoryConfig.RequestDynamic<double>(shared)),
                    x.View<double>(), y.View<double>(), w.View<double>(), g, Split<double>(g.Parts, w.Numel, partials, counters));
            return;
        }
        // The reference: one thread per weight and slice, the slices added by a separate reduction.
        var target = partials ?? w;
        if (IsSingle(x)) Launch(Conv3dKernels.WeightGradient, target.Numel, x.View<float>(), y.View<float>(), target.View<float>(), g);
        else Launch(Conv3dKernels.WeightGradient, target.Numel, x.View<double>(), y.View<double>(), target.View<double>(), g);
        if (partials is not null) Reduce<SumReduce>(partials, w, g.Parts, w.Numel, partials.Numel, byGroup: false);
    }

    public void AvgPool3d(Tensor x, Tensor y, ConvGeometry g, double scale)
    {
        if (IsSingle(x)) Launch(Pool3dKernels.Average, y.Numel, x.View<float>(), y.View<float>(), g, (float)scale);
        else Launch(Pool3dKernels.Average, y.Numel, x.View<double>(), y.View<double>(), g, scale);
    }

    public void Upsample3d(Tensor y, Tensor x, ConvGeometry g, double scale)
    {
        if (IsSingle(y)) Launch(Pool3dKernels.Upsample, x.Numel, y.View<float>(), x.View<float>(), g, (float)scale);
        else Launch(Pool3dKernels.Upsample, x.Numel, y.View<double>(), x.View<double>(), g, scale);
    }

    public void NadamUpdate(Tensor theta, Tensor grad, Tensor m, Tensor v, NadamCoefficients c, Tensor gate, int own)
    {
        if (IsSingle(theta)) Launch(NadamKernels.Update<float, DoubleToSingle>, theta.Numel, theta.View<float>(), grad.View<float>(), m.View<float>(), v.View<float>(), gate.View<double>(), c.Round<float>(own));
        else Launch(NadamKernels.Update<double, DoubleToDouble>, theta.Numel, theta.View<double>(), grad.View<double>(), m.View<double>(), v.View<double>(), gate.View<double>(), c.Round<double>(own));
    }

    public void Fft(Tensor x, Tensor y, FftLines lines, int sign)
    {
        if (lines.Count == 0) return;
        // Stockham passes ping-pong between y and a scratch tensor; the first reads x, and the pass
        // count's parity decides which buffer starts so that the last pass writes y.
        var factors = FftKernels.Factor(lines.N);
        if (factors.Count == 0) { Copy(x, y, x.Numel, StridedIndex.Create([x.Numel], [1], [1])); return; }
        using var scratch = Tensor.Empty(x.Shape, x.DType, x.Device);
        using var twiddles = FftKernels.Twiddles(lines.N, sign, x.DType, x.Device);
        var (from, to) = (x, factors.Count % 2 == 1 ? y : scratch);
        int length = lines.N, stride = 1;
        foreach (int r in factors)
        {
            var pass = new FftPass { Outer = lines.Outer, N = lines.N, Inner = lines.Inner, Radix = r, L = length, S = stride, Sign = sign };
            long work = (long)lines.Outer * lines.Inner * (lines.N / r);
            if (IsSingle(x)) Launch(FftKernels.Pass, work, from.View<float>(), to.View<float>(), twiddles.View<float>(), pass);
            else Launch(FftKernels.Pass, work, from.View<double>(), to.View<double>(), twiddles.View<double>(), pass);
            (from, to) = (to, ReferenceEquals(to, y) ? scratch : y);
            length /= r;
            stride *= r;
        }
    }

    public void HookeStress(Tensor eps, Tensor lambda, Tensor mu, Tensor sigma) =>
        Launch(HomogenizationKernels.Stress, lambda.Numel, eps.View<double>(), lambda.View<double>(), mu.View<double>(), sigma.View<double>());

    public void GreenOperator(Tensor tau, Tensor result, Tensor xi, GreenGrid<double> grid) =>
        Launch(HomogenizationKernels.Green, (long)grid.D * grid.H * grid.W, tau.View<double>(), result.View<double>(), xi.View<double>(), grid);

    public void EquilibriumResidual(Tensor sigma, Tensor residual, Tensor xi, GreenGrid<double> grid) =>
        Launch(HomogenizationKernels.Equilibrium, (long)grid.D * grid.H * grid.W, sigma.View<double>(), residual.View<double>(), xi.View<double>(), grid);
}
