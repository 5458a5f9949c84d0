using System.Runtime.InteropServices;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Reusable aligned scratch blocks for the host kernels (packed panels, FFT line groups, private
/// accumulators). Allocating them per call was the bottleneck of short ops: blocks above the C
/// allocator's mmap threshold arrive as fresh pages, and a 512^3 GEMM took 5 ms instead of 0.9 ms for
/// its first calls while the kernel waited on page faults. A rented block goes back to a free list on
/// return, so nested and concurrent callers never share one; the list keeps at most
/// <see cref="MaxCached"/> blocks (the smallest go first).
/// </summary>
internal static unsafe class HostScratch
{
    private const int MaxCached = 32;
    private static readonly Lock Gate = new();
    private static readonly List<(nint Pointer, long Bytes)> Free = [];
    private static readonly Dictionary<nint, long> Sizes = [];

    /// <summary>A 64-byte-aligned block of at least <paramref name="bytes"/> bytes, zeroed when <paramref name="zero"/>.</summary>
    public static nint Rent(long bytes, bool zero = true)
    {
        bytes = Math.Max(bytes, 64);
        nint pointer = 0;
        lock (Gate)
        {
            int best = -1;
            for (int i = 0; i < Free.Count; i++)
                if (Free[i].Bytes >= bytes && (best < 0 || Free[i].Bytes < Free[best].Bytes)) best = i;
            if (best >= 0)
            {
                pointer = Free[best].Pointer;
                Free.RemoveAt(best);
            }
        }
        if (pointer == 0)
        {
            // Round up so that slightly different requests (channel counts, panel pitches) share blocks.
            long size = (bytes + 65535) / 65536 * 65536;
            pointer = (nint)NativeMemory.AlignedAlloc((nuint)size, 64);
            lock (Gate) Sizes[pointer] = size;
        }
        if (zero) NativeMemory.Clear((void*)pointer, (nuint)bytes);
        return pointer;
    }

    /// <summary>Gives a block from <see cref="Rent"/> back for reuse.</summary>
    public static void Return(nint pointer)
    {
        nint release = 0;
        lock (Gate)
        {
            Free.Add((pointer, Sizes[pointer]));
            if (Free.Count > MaxCached)
            {
                int smallest = 0;
                for (int i = 1; i < Free.Count; i++) if (Free[i].Bytes < Free[smallest].Bytes) smallest = i;
                release = Free[smallest].Pointer;
                Free.RemoveAt(smallest);
                Sizes.Remove(release);
            }
        }
        if (release != 0) NativeMemory.AlignedFree((void*)release);
    }
}
