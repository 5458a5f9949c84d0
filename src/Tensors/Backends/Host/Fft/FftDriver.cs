using System.Numerics;
using System.Runtime.InteropServices;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Runs one strided batch of line DFTs for a chosen lane width: groups of G lines are gathered into
/// per-thread split scratch, transformed by <see cref="FftStockham"/> and scattered to y.
/// </summary>
internal static unsafe class FftDriver
{
    /// <summary>Below this many complex elements in total a parallel launch costs more than it saves.</summary>
    const long SerialElements = 16 * 1024;

    public static void Run<T, TV, L>(T* x, T* y, int outer, int n, int inner, int sign, bool allowParallel = true)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV>
    {
        var plan = FftPlan<T>.Get(n);
        var groups = new FftLineGroups(outer, n, inner, L.Count);
        if (groups.Count == 0) return;
        // The inverse is the forward DFT with re and im exchanged on input and output.
        bool swap = sign > 0;
        nint scratchScalars = ScratchScalars(plan, L.Count);

        int threads = Environment.ProcessorCount;
        if (!allowParallel || threads == 1 || groups.Count == 1 || (long)n * outer * inner < SerialElements)
        {
            T* scratch = Alloc<T>(scratchScalars);
            try
            {
                for (long gi = 0; gi < groups.Count; gi++)
                    Group<T, TV, L>(plan, groups, x, y, gi, swap, scratch);
            }
            finally
            {
                HostScratch.Return((nint)scratch);
            }
            return;
        }

        // A few blocks per thread so a core slowed by another process does not stall the call.
        long blocks = Math.Min(groups.Count, threads * 4L);
        long perBlock = (groups.Count + blocks - 1) / blocks;
        nint xp = (nint)x, yp = (nint)y;
        Parallel.For(0L, blocks, () => (nint)Alloc<T>(scratchScalars), (b, _, scratch) =>
        {
            long end = Math.Min(groups.Count, (b + 1) * perBlock);
            for (long gi = b * perBlock; gi < end; gi++)
                Group<T, TV, L>(plan, groups, (T*)xp, (T*)yp, gi, swap, (T*)scratch);
            return scratch;
        }, HostScratch.Return);
    }

    /// <summary>Two n x 2G ping-pong buffers (re and im lane vectors alternate per element) plus the generic radix workspace.</summary>
    static nint ScratchScalars<T>(FftPlan<T> plan, int g) where T : unmanaged, IFloatingPointIeee754<T>
        => (4 * (nint)plan.N + 2 * plan.MaxRadix) * g;

    static T* Alloc<T>(nint scalars) where T : unmanaged
        => (T*)HostScratch.Rent(scalars * sizeof(T), zero: false);

    static void Group<T, TV, L>(FftPlan<T> plan, in FftLineGroups groups, T* x, T* y, long gi, bool swap, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where L : IFftLanes<T, TV>
    {
        nint len = 2 * (nint)plan.N * L.Count;
        T* a = scratch, b = scratch + len;
        // Inverse: the kernels see x's imaginary part as real and vice versa, on the way in and out.
        nint re = swap ? L.Count : 0, im = swap ? 0 : L.Count;
        groups.Gather<T, TV, L>(x, gi, a + re, a + im);
        bool inB = FftStockham.Forward<T, TV, L>(plan, a, b, scratch + 2 * len);
        T* r = inB ? b : a;
        groups.Scatter<T, TV, L>(y, gi, r + re, r + im);
    }
}
