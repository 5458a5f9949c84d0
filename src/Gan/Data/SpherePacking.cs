namespace VoxelGan.Gan.Data;

/// <summary>How spheres are placed.</summary>
public enum SphereStyle
{
    /// <summary>Non-overlapping, periodic: random sequential addition with the minimum-image distance; spheres wrap around faces.</summary>
    Periodic,

    /// <summary>The authors' <c>data_generation.py</c>: integer centres, spheres clipped at faces, overlaps accepted.</summary>
    Authors,
}

/// <summary>
/// Spherical-inclusion volumes (DESIGN.md section 4): voxel (a, b, c) is inclusion (1) when its centre
/// (a + 1/2, b + 1/2, c + 1/2) lies within <c>radius</c> of a sphere centre, matrix (0) otherwise.
/// Spheres are added until the inclusion fraction reaches the target.
/// </summary>
public static class SpherePacking
{
    /// <summary>A [size, size, size] phase map (row-major) with inclusion fraction close to <paramref name="fraction"/>.</summary>
    public static byte[] Generate(int size, double radius, double fraction, int seed, SphereStyle style = SphereStyle.Periodic) =>
        Pack(size, radius, fraction, seed, style).Phases;

    /// <summary>The phase map and the sphere centres (in voxel units, voxel (a, b, c) centred at (a + 1/2, b + 1/2, c + 1/2)).</summary>
    public static (byte[] Phases, IReadOnlyList<(double X, double Y, double Z)> Centres) Pack(int size, double radius, double fraction, int seed, SphereStyle style = SphereStyle.Periodic)
    {
        if (size < 1) throw new ArgumentException($"volume size must be positive, got {size}");
        if (!(radius > 0) || 2 * radius > size) throw new ArgumentException($"sphere radius {radius} must be positive and fit the {size}^3 volume");
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"inclusion fraction must lie in (0, 1), got {fraction}");
        double sphereVolume = 4.0 / 3 * Math.PI * radius * radius * radius;
        if (style == SphereStyle.Periodic && fraction > 0.5)
            throw new ArgumentException($"inclusion fraction {fraction} is beyond what random sequential addition of non-overlapping spheres reaches (about 0.38); use at most 0.35");
        var rng = new Random(seed);
        var phases = new byte[Volume.CheckedVoxelCount(size, size, size, $"sphere packing of size {size}")];
        var centres = new List<(double X, double Y, double Z)>();
        long inclusion = 0, target = (long)Math.Round(fraction * phases.Length);
        int failures = 0;
        while (inclusion < target)
        {
            (double X, double Y, double Z) c = style == SphereStyle.Authors
                // Integer voxel centres in [0, n-2], as the authors' tf.random.uniform(maxval=n-1) (maxval is exclusive).
                ? (rng.Next(size - 1) + 0.5, rng.Next(size - 1) + 0.5, rng.Next(size - 1) + 0.5)
                : (rng.NextDouble() * size, rng.NextDouble() * size, rng.NextDouble() * size);
            if (style == SphereStyle.Periodic && centres.Any(o => Distance2(c, o, size) < 4 * radius * radius))
            {
                if (++failures > 200_000)
                    throw new InvalidOperationException($"could not place another non-overlapping sphere of radius {radius} after 200000 tries at fraction {inclusion / (double)phases.Length:F3}; ask for a lower fraction");
                continue;
            }
            centres.Add(c);
            inclusion += Paint(phases, size, c, radius, periodic: style == SphereStyle.Periodic);
            if (centres.Count > 10 * phases.Length / sphereVolume + 100) break;
        }
        return (phases, centres);
    }

    /// <summary>Squared minimum-image distance in a periodic cube of edge <paramref name="size"/>.</summary>
    public static double Distance2((double X, double Y, double Z) a, (double X, double Y, double Z) b, int size)
    {
        double Wrap(double d) { d = Math.Abs(d) % size; return Math.Min(d, size - d); }
        double dx = Wrap(a.X - b.X), dy = Wrap(a.Y - b.Y), dz = Wrap(a.Z - b.Z);
        return dx * dx + dy * dy + dz * dz;
    }

    /// <summary>Marks the voxels of one sphere; returns how many became inclusion.</summary>
    private static int Paint(byte[] phases, int size, (double X, double Y, double Z) c, double radius, bool periodic)
    {
        int added = 0, reach = (int)Math.Ceiling(radius) + 1;
        for (int da = -reach; da <= reach; da++)
        for (int db = -reach; db <= reach; db++)
        for (int dc = -reach; dc <= reach; dc++)
        {
            int a = (int)Math.Floor(c.X) + da, b = (int)Math.Floor(c.Y) + db, e = (int)Math.Floor(c.Z) + dc;
            double x = a + 0.5 - c.X, y = b + 0.5 - c.Y, z = e + 0.5 - c.Z;
            if (x * x + y * y + z * z > radius * radius) continue;
            if (periodic) (a, b, e) = (Mod(a, size), Mod(b, size), Mod(e, size));
            else if (a < 0 || b < 0 || e < 0 || a >= size || b >= size || e >= size) continue;
            ref byte v = ref phases[(a * size + b) * size + e];
            if (v == 0) { v = 1; added++; }
        }
        return added;
    }

    private static int Mod(int a, int n) => ((a % n) + n) % n;
}
