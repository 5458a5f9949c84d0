namespace VoxelGan.Gan.Data;

/// <summary>A 3D scalar field, row-major [D, H, W] (array axis i is direction i + 1).</summary>
/// <param name="Values">D*H*W voxel values.</param>
/// <param name="D">Extent of axis 0.</param>
/// <param name="H">Extent of axis 1.</param>
/// <param name="W">Extent of axis 2.</param>
/// <param name="Source">Where it came from, for error messages.</param>
public sealed record Volume(float[] Values, int D, int H, int W, string Source)
{
    /// <summary>Largest volume the generators and readers build: 2^30 voxels (a 1024^3 grid, 1 GiB of phases).</summary>
    public const long MaxVoxels = 1L << 30;

    /// <summary>
    /// D*H*W computed without overflow, checked against <see cref="MaxVoxels"/> before anything is
    /// allocated; <paramref name="what"/> names the volume in the error.
    /// </summary>
    public static int CheckedVoxelCount(long d, long h, long w, string what)
    {
        if (d < 1 || h < 1 || w < 1) throw new ArgumentException($"{what}: extents {d}x{h}x{w} must all be positive");
        if (d > MaxVoxels || h > MaxVoxels || w > MaxVoxels || d * h > MaxVoxels || d * h * w > MaxVoxels)
            throw new ArgumentException($"{what}: {d}x{h}x{w} voxels exceed the limit of {MaxVoxels:N0} (a 1024^3 grid)");
        return (int)(d * h * w);
    }

    /// <summary>Number of voxels.</summary>
    public int Count => Values.Length;

    /// <summary>True when every value is 0 or 1.</summary>
    public bool IsBinary => Values.All(v => v is 0f or 1f);

    /// <summary>The value at (a, b, c).</summary>
    public float this[int a, int b, int c] => Values[(a * H + b) * W + c];

    /// <summary>
    /// The threshold that splits volumes into phases when the user gives none, in one place for every
    /// command: 0.5 for 0/1 data, else midway between the smallest and the largest value of all of them.
    /// </summary>
    public static double DefaultThreshold(IReadOnlyCollection<Volume> volumes) =>
        volumes.All(v => v.IsBinary) ? 0.5 : (volumes.Min(v => v.Values.Min()) + volumes.Max(v => v.Values.Max())) / 2.0;

    /// <summary>Values above <paramref name="threshold"/> become phase 1, the rest phase 0.</summary>
    public byte[] Binarize(double threshold) => Values.Select(v => v > threshold ? (byte)1 : (byte)0).ToArray();

    /// <summary>
    /// The phase map of an integer-labelled volume (0 .. phases - 1), or of a thresholded one when
    /// <paramref name="threshold"/> is given. Non-integer or out-of-range labels name the voxel.
    /// </summary>
    public byte[] Phases(int phases, double? threshold = null)
    {
        if (threshold is double t) return Binarize(t);
        var result = new byte[Count];
        for (int i = 0; i < Count; i++)
        {
            float v = Values[i];
            if (v < 0 || v != MathF.Floor(v) || v >= phases)
                throw new InvalidDataException(
                    $"{Source}: voxel {VoxelAt(i)} has value {v}, not a phase label 0..{phases - 1}" +
                    (v >= phases && v == MathF.Floor(v) ? $" (the volume has more phases than the {phases} material(s) given)" : "; pass --threshold to binarize a grey-value volume"));
            result[i] = (byte)v;
        }
        return result;
    }

    /// <summary>"(a, b, c)": the position of flat index <paramref name="i"/>, for error messages.</summary>
    public string VoxelAt(int i) => $"({i / (H * W)}, {i / W % H}, {i % W})";

    /// <summary>The centre slice along axis 0 (an H x W image).</summary>
    public float[] CentreSlice() => Values.AsSpan(D / 2 * H * W, H * W).ToArray();
}
