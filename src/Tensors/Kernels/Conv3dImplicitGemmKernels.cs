using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// Convolutions as register-tiled implicit GEMMs with shared memory (explicitly grouped: the group's shape is chosen at
/// launch). <see cref="Convolve{T, TConv}"/> computes C = A B for any <see cref="IImplicitConvolution"/>: the forward
/// convolution (<see cref="DirectConvolution"/>: M = N*YD*YH*YW output voxels, Cy columns, Cx*K^3 taps), the stride-1
/// transposed one with the kernel flipped (the same struct with <see cref="DirectConvolution.FlippedTransposed"/> = 1) and each output phase of a
/// strided transposed one (<see cref="PhaseTransposedConvolution"/>). A group of TM x TN threads computes a block of
/// BM = 4 TM rows by BN = 4 TN columns of C, each thread a 4 x 4 block held in registers: for each run of
/// <see cref="Depth"/> inner indices the group stages A[BM rows, run] and B[run, BN columns] in shared memory once, and
/// every thread then reads 4 + 4 values per index for 16 multiply-adds (one output per thread read 2 values per
/// multiply-add, which bounded it by shared-memory bandwidth). The indices of a step are decoded once per group into
/// small shared tables (the inner indices' tap offsets for the convolutions, the voxels' positions for the weight
/// gradient), not by every thread for every element it stages. The input is read Cy / BN times in all, not Cy times as
/// by the gathers of <see cref="Conv3dKernels"/>, which stay beside these as their references.
/// </summary>
public static class Conv3dImplicitGemmKernels
{
    /// <summary>Inner indices (taps, or voxels for the weight gradient) staged per step of the register-tiled kernels.</summary>
    public const int Depth = 16;

    /// <summary>Most taps (rows 4 TM) a group of <see cref="WeightGradient{T}"/> may own: its tap table's size.</summary>
    public const int MaxWeightGradientTaps = 256;

    /// <summary>The tap shift that marks <see cref="WeightGradient{T}"/>'s bias row (A = 1); -1 marks taps past the end.</summary>
    public const int BiasTap = -2;

    /// <summary>Elements of dynamic shared memory <see cref="WeightGradient{T}"/> needs for TM x TN groups (its tiles' rows are padded by one).</summary>
    public static int WeightGradientSharedElements(int tm, int tn) => Depth * (4 * tm + 1 + 4 * tn + 1);

    /// <summary>
    /// Thread (tx, ty) of group (bx, by, bz) computes, for the product <paramref name="conv"/> selects for slice bz,
    /// C[m, c] for m = bx*BM + tx + i*TM and c = by*BN + ty + j*TN (i, j = 0..3), summing A[m, kk] B[kk, c] over kk in
    /// ascending order, and stores it at <c>y[conv.Output(row m) + c conv.ChannelStride]</c>. For
    /// the forward <see cref="DirectConvolution"/> and <see cref="PhaseTransposedConvolution"/> that is the order of the reference,
    /// so the same bits for finite weights (indices past the inner dimension and voxels outside the input add exact
    /// zeros). Needs TM and TN multiples of 4 (so each thread stages one fixed row of A and one fixed column of B).
    /// Dynamic shared memory: Depth (BM + BN) elements, the A tile [k][row], then the B tile [k][column]. Consecutive tx
    /// are consecutive output voxels, so the gathers and the stores are coalesced. Split-K: grid z is
    /// (product, slice) with <paramref name="split"/>.Slices slices per product; slice q sums its own run of whole
    /// Depth steps of kk and stores its partial C into <c>split.Partials[q Stride ..]</c>, and the last slice of a block
    /// to finish adds the block's slices up in order into y (<see cref="InnerSplit{T}"/>; with one slice, the whole sum
    /// straight into y). Whatever stores into y passes each sum through <paramref name="epilogue"/> with channel c (the
    /// partial sums are stored as they are).
    /// </summary>
    public static void Convolve<T, TConv>(ArrayView<T> input, ArrayView<T> w, ArrayView<T> y, TConv conv, InnerSplit<T> split, Epilogue<T> epilogue)
        where T : unmanaged, IFloatingPointIeee754<T> where TConv : struct, IImplicitConvolution
    {
        int slice = Grid.IdxZ % split.Slices;
        conv.Select(Grid.IdxZ / split.Slices);
        int tm = Group.DimX, tn = Group.DimY, tx = Group.IdxX, ty = Group.IdxY;
        int bm = 4 * tm, bn = 4 * tn, threads = tm * tn, lane = ty * tm + tx;
        var shared = SharedMemory.GetDynamic<T>();
        var a = shared.SubView(0, Depth * bm);
        var b = shared.SubView(Depth * bm, Depth * bn);
        int rows = conv.Rows, columns = conv.Columns;
        // This slice's run of the inner dimension (whole steps of Depth), and where its partial C goes.
        int steps = (conv.Inner + Depth - 1) / Depth, perSlice = (steps + split.Slices - 1) / split.Slices;
        int begin = slice * perSlice * Depth, inner = Math.Min(conv.Inner, (slice + 1) * perSlice * Depth);
        var target = split.Slices == 1 ? y : split.Partials.SubView(slice * split.Stride, split.Stride);
        int firstRow = Grid.IdxX * bm, firstColumn = Grid.IdxY * bn;
        if (firstRow >= rows) return; // a phase with fewer voxels than the grid was sized for (the whole group leaves)

        // The row of A and the column of B this thread stages.
        int stageRow = lane % bm, stageColumn = lane % bn, m = firstRow + stageRow, co = firstColumn + stageColumn;
        bool row = m < rows, column = co < columns;
        var voxel = row ? conv.Row(m) : default;
        int voxelBase = row ? conv.VoxelBase(voxel) : 0;
        // The current step's inner indices decoded once per group: their input offsets and packed shifts (-1: past the run).
        var tapOffsets = SharedMemory.Allocate<int>(Depth);
        var tapShifts = SharedMemory.Allocate<int>(Depth);
        DecodeTaps(conv, tapOffsets, tapShifts, begin, inner, lane, threads);
        Group.Barrier();
        var acc = default(RegisterBlock<T>);
        for (int k0 = begin; k0 < inner; k0 += Depth)
        {
            for (int k = lane / bm; k < Depth; k += threads / bm)
            {
                int shift = tapShifts[k];
                a[k * bm + stageRow] = row && shift >= 0 && conv.Inside(voxel, shift) ? input[voxelBase + tapOffsets[k]] : T.Zero;
            }
            for (int k = lane / bn; k < Depth; k += threads / bn)
            {
                int kk = k0 + k;
                b[k * bn + stageColumn] = column && kk < inner ? conv.B(w, kk, co) : T.Zero;
            }
            Group.Barrier();
            // The tables were read before the barrier, so the next step's may be written while the tiles are multiplied.
            DecodeTaps(conv, tapOffsets, tapShifts, k0 + Depth, inner, lane, threads);
            for (int k = 0; k < Depth; k++) acc = acc.AddOuterProduct(a, k * bm + tx, tm, b, k * bn + ty, tn);
            Group.Barrier();
        }
        int stride = conv.ChannelStride;
        for (int i = 0; i < 4; i++)
        {
            int mi = firstRow + tx + i * tm;
            if (mi >= rows) break;
            acc.Row(i).Store(target, conv.Output(conv.Row(mi)), stride, firstColumn + ty, tn, columns, split.Slices == 1 ? epilogue : default);
        }
        if (split.Slices == 1 || !LastSlice(split.Counters, (Grid.IdxZ / split.Slices * Grid.DimY + Grid.IdxY) * Grid.DimX + Grid.IdxX, split.Slices, lane)) return;
        for (int i = 0; i < 4; i++)
        {
            int mi = firstRow + tx + i * tm;
            if (mi >= rows) break;
            int output = conv.Output(conv.Row(mi));
            for (int j = 0; j < 4; j++)
            {
                int c = firstColumn + ty + j * tn;
                if (c < columns) SumSlices(split, y, output + c * stride, c, epilogue);
            }
        }
    }

    /// <summary>
    /// Split-K's end, after every thread of the group stored its part of its slice's block: true in the group that is the
    /// last of the block's <paramref name="slices"/> slices to get here (an atomic count per block, which that group
    /// resets to 0 for the next launch). The fences make every slice's stores visible before its count, and the counts
    /// before the last group's loads (the pattern of CUDA's threadFenceReduction sample).
    /// </summary>
    private static bool LastSlice(ArrayView<int> counters, int block, int slices, int lane)
    {
        var last = SharedMemory.Allocate<int>(1);
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (lane == 0)
        {
            int done = Atomic.Add(ref counters[block], 1) + 1;
            last[0] = done == slices ? 1 : 0;
            if (done == slices) counters[block] = 0;
        }
        Group.Barrier();
        MemoryFence.DeviceLevel();
        return last[0] == 1;
    }

    /// <summary>
    /// <c>y[index] = epilogue(0 + partial_0[index] + partial_1[index] + ...)</c>, the slices in order (the order of the
    /// separate reduction it replaces), <paramref name="channel"/> the element's channel.
    /// </summary>
    private static void SumSlices<T>(InnerSplit<T> split, ArrayView<T> y, int index, int channel, Epilogue<T> epilogue) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int q = 0; q < split.Slices; q++) sum += split.Partials[q * split.Stride + index];
        y[index] = epilogue.Apply(sum, index, channel);
    }

    /// <summary>Lanes below <see cref="Depth"/> decode the inner indices k0 .. k0 + Depth - 1 (shift -1 from <paramref name="inner"/> on).</summary>
    private static void DecodeTaps<TConv>(TConv conv, ArrayView<int> offsets, ArrayView<int> shifts, int k0, int inner, int lane, int threads)
        where TConv : struct, IImplicitConvolution
    {
        for (int k = lane; k < Depth; k += threads)
        {
            int kk = k0 + k;
            offsets[k] = kk < inner ? conv.TapOffset(kk) : 0;
            shifts[k] = kk < inner ? conv.TapShift(kk) : -1;
        }
    }

    /// <summary>
    /// Lanes below <see cref="Depth"/> decode the output voxels m0 .. m0 + Depth - 1 = (n, od, oh, ow) for
    /// <see cref="WeightGradient{T}"/> through the forward convolution's gather: yBase = index of y[n, 0, od, oh, ow]
    /// (-1 from <paramref name="end"/> on), xBase = <see cref="DirectGather.VoxelBase"/> and the row's input corner.
    /// </summary>
    private static void DecodeVoxels(DirectGather gather, ArrayView<int> yBase, ArrayView<int> xBase, ArrayView<int> cornerD, ArrayView<int> cornerH, ArrayView<int> cornerW,
        int m0, int end, int lane, int threads)
    {
        for (int k = lane; k < Depth; k += threads)
        {
            int m = m0 + k;
            if (m >= end)
            {
                yBase[k] = -1;
                continue;
            }
            var v = gather.Row(m);
            yBase[k] = gather.Output(v);
            xBase[k] = gather.VoxelBase(v);
            cornerD[k] = v.D0;
            cornerH[k] = v.H0;
            cornerW[k] = v.W0;
        }
    }

    /// <summary>
    /// <see cref="Conv3dKernels.WeightGradient{T}"/> as a register-tiled GEMM, split-K over grid z: slice q = Grid.IdxZ
    /// computes <c>partial[q, co, kk] = sum_m y[m, co] A[m, kk]</c> over the output voxels m = (n, od, oh, ow) of the
    /// (n, od) pairs q*ceil(N*YD/Parts) &lt;= n*YD + od &lt; (q+1)*ceil(N*YD/Parts) (the reference's slices), A as in
    /// <see cref="Convolve{T, TConv}"/>. A group of TM x TN threads owns a block of 4 TM taps kk by 4 TN channels co,
    /// thread (tx, ty) the taps bx*4TM + tx + i*TM and channels by*4TN + ty + j*TN (i, j = 0..3) in registers; per run
    /// of <see cref="Depth"/> voxels the group stages y[run, co block] and A[run, kk block] in shared memory
    /// (<see cref="WeightGradientSharedElements"/>; TM and TN multiples of 4, 4 TM at most <see cref="MaxWeightGradientTaps"/>,
    /// at least Depth threads), each thread one voxel of the run for several taps and channels. The voxels are summed in ascending order, as by the reference, and
    /// the last slice of a block to finish adds the block's slices in order into <c>dw[co, kk]</c> (<see cref="InnerSplit{T}"/>),
    /// as the reference's separate reduction does, so the same bits. With <c>BiasSums</c> the taps run to kk = Cx K^3
    /// inclusive, that last one reading 1 at every voxel of the slice (<see cref="BiasTap"/>), so its row sums y per
    /// channel (the bias gradient) and is stored after the weights, at <c>dw[Cy Cx K^3 + co]</c>: the same sums in the
    /// same order as the reference's (1 y is y exactly).
    /// </summary>
    public static void WeightGradient<T>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> dw, ConvGeometry g, InnerSplit<T> split)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int tm = Group.DimX, tn = Group.DimY, tx = Group.IdxX, ty = Group.IdxY, q = Grid.IdxZ;
        int bm = 4 * tm, bn = 4 * tn, threads = tm * tn, lane = ty * tm + tx;
        // Rows of the tiles padded by one element, so that the stagers' column-wise stores spread over the banks.
        int rowA = bm + 1, rowB = bn + 1;
        var shared = SharedMemory.GetDynamic<T>();
        var xs = shared.SubView(0, Depth * rowA);
        var ys = shared.SubView(Depth * rowA, Depth * rowB);
        int k3 = g.K * g.K * g.K, inner = g.Cx * k3, taps = inner + g.BiasSums, plane = g.YH * g.YW, spatial = g.YD * plane;
        int pairs = g.N * g.YD, chunk = (pairs + g.Parts - 1) / g.Parts;
        int first = q * chunk * plane, end = Math.Min(pairs, (q + 1) * chunk) * plane;
        int firstTap = Grid.IdxX * bm, firstColumn = Grid.IdxY * bn;

        // The block's taps decoded once: x's offset of tap kk = (ci, kd, kh, kw) from a voxel's corner and the packed
        // (kd, kh, kw) (-1 past the last tap).
        // A is the forward convolution's gather, read by voxel and tap.
        var gather = new DirectGather { G = g };
        var tapOffsets = SharedMemory.Allocate<int>(MaxWeightGradientTaps);
        var tapShifts = SharedMemory.Allocate<int>(MaxWeightGradientTaps);
        for (int t = lane; t < bm; t += threads)
        {
            int kk = firstTap + t;
            tapOffsets[t] = kk < inner ? gather.TapOffset(kk) : 0;
            tapShifts[t] = kk < inner ? gather.TapShift(kk) : kk < taps ? BiasTap : -1;
        }
        // The current step's voxels decoded once per group: the index of y[n, 0, od, oh, ow] (-1 past the slice) and of
        // x[n, 0, od*S-P, oh*S-P, ow*S-P] with those three corner coordinates.
        var yBase = SharedMemory.Allocate<int>(Depth);
        var xBase = SharedMemory.Allocate<int>(Depth);
        var cornerD = SharedMemory.Allocate<int>(Depth);
        var cornerH = SharedMemory.Allocate<int>(Depth);
        var cornerW = SharedMemory.Allocate<int>(Depth);
        DecodeVoxels(gather, yBase, xBase, cornerD, cornerH, cornerW, first, end, lane, threads);
        Group.Barrier();
        // Each thread stages one voxel v of the step for a run of taps and channels: consecutive lanes read consecutive
        // voxels, which lie next to each other in x and y (the loads coalesce).
        int stageVoxel = lane % Depth, lanesPerVoxel = threads / Depth, firstStage = lane / Depth;
        var acc = default(RegisterBlock<T>);
        for (int m0 = first; m0 < end; m0 += Depth)
        {
            int v = stageVoxel, yv = yBase[v], xv = xBase[v];
            var corner = new Voxel { D0 = cornerD[v], H0 = cornerH[v], W0 = cornerW[v] };
            for (int t = firstStage; t < bm; t += lanesPerVoxel)
            {
                int shift = tapShifts[t];
                xs[v * rowA + t] = yv < 0 ? T.Zero : shift == BiasTap ? T.One : shift >= 0 && gather.Inside(corner, shift) ? x[xv + tapOffsets[t]] : T.Zero;
            }
            for (int c = firstStage; c < bn; c += lanesPerVoxel)
                ys[v * rowB + c] = firstColumn + c < g.Cy && yv >= 0 ? y[yv + (firstColumn + c) * spatial] : T.Zero;
            Group.Barrier();
            // The tables were read before the barrier, so the next step's may be written while the tiles are multiplied.
            DecodeVoxels(gather, yBase, xBase, cornerD, cornerH, cornerW, m0 + Depth, end, lane, threads);
            for (int u = 0; u < Depth; u++) acc = acc.AddOuterProduct(xs, u * rowA + tx, tm, ys, u * rowB + ty, tn);
            Group.Barrier();
        }
        var target = split.Slices == 1 ? dw : split.Partials.SubView(q * split.Stride, split.Stride);
        // Row i of this thread's block is tap kk_i: dw[co, kk_i] at co inner + kk_i, the bias tap's at Cy inner + co.
        for (int i = 0; i < 4; i++)
        {
            int tap = firstTap + tx + i * tm;
            if (tap >= taps) break;
            if (tap < inner) acc.Row(i).Store(target, tap, inner, firstColumn + ty, tn, g.Cy);
            else acc.Row(i).Store(target, g.Cy * inner, 1, firstColumn + ty, tn, g.Cy);
        }
        if (split.Slices == 1 || !LastSlice(split.Counters, Grid.IdxY * Grid.DimX + Grid.IdxX, split.Slices, lane)) return;
        for (int i = 0; i < 4; i++)
        {
            int tap = firstTap + tx + i * tm;
            if (tap >= taps) break;
            for (int j = 0; j < 4; j++)
            {
                int c = firstColumn + ty + j * tn;
                if (c < g.Cy) SumSlices(split, dw, tap < inner ? c * inner + tap : g.Cy * inner + c, c, default);
            }
        }
    }
}
