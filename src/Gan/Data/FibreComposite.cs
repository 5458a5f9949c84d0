namespace VoxelGan.Gan.Data;

/// <summary>
/// A synthetic short-fibre composite standing in for a micro-CT scan (DESIGN.md section 4): straight
/// cylinders of radius r and length l, centres uniform in the volume, directions scattered around
/// axis 2 (as in an injection-moulded part) with a cone half-angle, clipped at the faces (a scan is
/// not periodic), overlaps allowed. Voxel = 1 where its centre lies within r of a fibre's axis segment.
/// </summary>
public static class FibreComposite
{
    /// <summary>A [d, h, w] phase map with fibre fraction close to <paramref name="fraction"/>.</summary>
    public static byte[] Generate(int d, int h, int w, double radius, double length, double fraction, int seed, double coneDegrees = 30)
    {
        if (d < 1 || h < 1 || w < 1) throw new ArgumentException($"volume extents must be positive, got {d}x{h}x{w}");
        if (!(radius > 0) || !(length > 0)) throw new ArgumentException($"fibre radius {radius} and length {length} must be positive");
        if (!(fraction > 0 && fraction < 0.6)) throw new ArgumentException($"fibre fraction must lie in (0, 0.6), got {fraction}");
        var rng = new Random(seed);
        var phases = new byte[Volume.CheckedVoxelCount(d, h, w, "fibre composite")];
        long filled = 0, target = (long)(fraction * phases.Length);
        double cone = coneDegrees * Math.PI / 180;
        for (int tries = 0; filled < target && tries < 1_000_000; tries++)
        {
            double[] c = [rng.NextDouble() * d, rng.NextDouble() * h, rng.NextDouble() * w];
            double theta = Math.Acos(1 - rng.NextDouble() * (1 - Math.Cos(cone))), phi = 2 * Math.PI * rng.NextDouble();
            double[] dir = [Math.Sin(theta) * Math.Cos(phi), Math.Sin(theta) * Math.Sin(phi), Math.Cos(theta)];
            double[] p0 = [.. c.Select((x, k) => x - dir[k] * length / 2)], p1 = [.. c.Select((x, k) => x + dir[k] * length / 2)];
            int Lo(int k) => Math.Max(0, (int)Math.Floor(Math.Min(p0[k], p1[k]) - radius));
            int Hi(int k, int n) => Math.Min(n - 1, (int)Math.Ceiling(Math.Max(p0[k], p1[k]) + radius));
            for (int a = Lo(0); a <= Hi(0, d); a++)
            for (int b = Lo(1); b <= Hi(1, h); b++)
            for (int e = Lo(2); e <= Hi(2, w); e++)
            {
                double[] q = [a + 0.5 - p0[0], b + 0.5 - p0[1], e + 0.5 - p0[2]];
                double t = Math.Clamp(q[0] * dir[0] + q[1] * dir[1] + q[2] * dir[2], 0, length);
                double dx = q[0] - t * dir[0], dy = q[1] - t * dir[1], dz = q[2] - t * dir[2];
                if (dx * dx + dy * dy + dz * dz > radius * radius) continue;
                ref byte v = ref phases[(a * h + b) * w + e];
                if (v == 0) { v = 1; filled++; }
            }
        }
        return phases;
    }
}
