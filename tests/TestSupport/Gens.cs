using FsCheck;
using FsCheck.Fluent;

namespace VoxelGan.TestSupport;

/// <summary>FsCheck generators of small shapes (kernels run on the CPU accelerator, so shapes stay tiny).</summary>
public static class Gens
{
    /// <summary>A shape of rank 0..maxRank with extents 0..maxExtent (0 only when <paramref name="allowEmpty"/>).</summary>
    public static Gen<int[]> Shape(int maxRank = 4, int maxExtent = 5, bool allowEmpty = false) =>
        from rank in Gen.Choose(0, maxRank)
        from dims in Gen.ArrayOf(Gen.Choose(allowEmpty ? 0 : 1, maxExtent), rank)
        select dims;

    /// <summary>
    /// Two shapes that broadcast together: start from one shape, then for each axis of the second
    /// keep it, set it to 1 on either side, and drop some leading axes.
    /// </summary>
    public static Gen<(int[] A, int[] B)> BroadcastPair(int maxRank = 4, int maxExtent = 4, bool allowEmpty = false) =>
        from full in Shape(maxRank, maxExtent, allowEmpty)
        from choices in Gen.ArrayOf(Gen.Choose(0, 2), full.Length)
        from dropA in Gen.Choose(0, full.Length)
        from dropB in Gen.Choose(0, full.Length)
        select (
            full.Select((d, i) => choices[i] == 1 ? 1 : d).Skip(dropA).ToArray(),
            full.Select((d, i) => choices[i] == 2 ? 1 : d).Skip(dropB).ToArray());

    /// <summary>A seed for host-side random values (FsCheck shrinks the shape; the values come from the seed).</summary>
    public static Gen<int> Seed => Gen.Choose(0, int.MaxValue - 1);
}
