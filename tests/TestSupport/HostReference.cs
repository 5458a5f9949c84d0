namespace VoxelGan.TestSupport;

/// <summary>Plain C# reference implementations, written independently of the library's shape code.</summary>
public static class HostReference
{
    public static int Numel(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    public static int[] Coordinates(int linear, int[] shape)
    {
        var c = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--) { c[i] = linear % shape[i]; linear /= shape[i]; }
        return c;
    }

    /// <summary>NumPy's rule, or null when the shapes do not broadcast.</summary>
    public static int[]? BroadcastShape(int[] a, int[] b)
    {
        int r = Math.Max(a.Length, b.Length);
        var o = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
            int db = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
            if (da != db && da != 1 && db != 1) return null;
            o[i] = da == 1 ? db : da;
        }
        return o;
    }

    /// <summary>Reads element <paramref name="outCoord"/> of the broadcast of <paramref name="data"/> (shape <paramref name="shape"/>).</summary>
    public static double ReadBroadcast(double[] data, int[] shape, int[] outCoord)
    {
        int offset = outCoord.Length - shape.Length, idx = 0;
        for (int i = 0; i < shape.Length; i++) idx = idx * shape[i] + (shape[i] == 1 ? 0 : outCoord[i + offset]);
        return data[idx];
    }

    public static double[] Binary(double[] a, int[] sa, double[] b, int[] sb, Func<double, double, double> f)
    {
        var so = BroadcastShape(sa, sb)!;
        var o = new double[Numel(so)];
        for (int i = 0; i < o.Length; i++)
        {
            var c = Coordinates(i, so);
            o[i] = f(ReadBroadcast(a, sa, c), ReadBroadcast(b, sb, c));
        }
        return o;
    }

    public static double[] RandomValues(Random rng, int n, double low = -2, double high = 2) =>
        Enumerable.Range(0, n).Select(_ => low + (high - low) * rng.NextDouble()).ToArray();
}
