namespace VoxelGan.Gan.Data;

/// <summary>
/// Latin hypercube sampling of sub-volume corners (DESIGN.md section 4): along each axis the unit
/// interval is split into n equal strata, one point is drawn uniformly in each, and the strata are
/// permuted independently per axis. A position u in [0, 1) becomes the corner floor(u M), M = L - s + 1
/// being the number of valid corners of an edge-s cube along an axis of extent L.
/// </summary>
public static class LatinHypercube
{
    /// <summary>Unit-cube positions [count][3]: for each axis, floor(u * count) runs over a permutation of 0..count-1.</summary>
    public static double[][] Positions(int count, int seed)
    {
        if (count < 1) throw new ArgumentException($"--count must be positive, got {count}");
        var rng = new Random(seed);
        var points = Enumerable.Range(0, count).Select(_ => new double[3]).ToArray();
        for (int axis = 0; axis < 3; axis++)
        {
            var strata = Enumerable.Range(0, count).ToArray();
            rng.Shuffle(strata);
            for (int i = 0; i < count; i++) points[i][axis] = (strata[i] + rng.NextDouble()) / count;
        }
        return points;
    }

    /// <summary>Corners [count][3] of edge-<paramref name="size"/> cubes inside a [D, H, W] volume.</summary>
    public static int[][] Corners(int count, int size, int[] extents, int seed)
    {
        for (int a = 0; a < 3; a++)
            if (extents[a] < size)
                throw new ArgumentException($"sub-volumes of edge {size} do not fit axis {a} of extent {extents[a]} (volume {string.Join("x", extents)})");
        return Positions(count, seed).Select(p => Enumerable.Range(0, 3)
            .Select(a => Math.Min((int)(p[a] * (extents[a] - size + 1)), extents[a] - size)).ToArray()).ToArray();
    }

    /// <summary>Copies the cube of edge <paramref name="size"/> at <paramref name="corner"/>.</summary>
    public static Volume Cut(Volume v, int[] corner, int size, string name)
    {
        var values = new float[size * size * size];
        for (int a = 0; a < size; a++)
            for (int b = 0; b < size; b++)
                Array.Copy(v.Values, ((corner[0] + a) * v.H + corner[1] + b) * v.W + corner[2], values, (a * size + b) * size, size);
        return new Volume(values, size, size, size, name);
    }
}
