using VoxelGan.Tensors;

namespace VoxelGan.Fft;

/// <summary>The radially averaged two-point correlation of a volume.</summary>
/// <param name="P1">Volume fraction of the phase (S2 at r = 0).</param>
/// <param name="Radii">Bin r holds the separations with r - 1/2 &lt;= |r| &lt; r + 1/2 (bin 0: the origin alone).</param>
/// <param name="S2">Mean of S2 over each bin.</param>
public sealed record TwoPointCorrelation(double P1, int[] Radii, double[] S2);

/// <summary>
/// n-point statistics of a binary microstructure (paper section 3.7). The indicator Phi(x) is 1 in
/// the phase and 0 elsewhere; the volume is periodic.
/// </summary>
public static class Correlations
{
    /// <summary>p1 = &lt;Phi&gt;, the volume fraction of voxels above <paramref name="threshold"/>.</summary>
    public static double VolumeFraction(Tensor volume, double threshold)
    {
        using var phase = Ops.GreaterThan(ToCompute(volume), threshold);
        using var mean = Ops.Mean(phase);
        return mean.Item();
    }

    /// <summary>
    /// S2(r) = &lt;Phi(x) Phi(x + r)&gt; for every periodic separation r, computed as
    /// IFFT(|FFT(Phi)|^2) / N, then averaged over the shells of integer-width bins of |r| (minimum-image
    /// distance) from 0 up to edge/2, edge being the smallest extent. <paramref name="volume"/> is a
    /// 3D [D, H, W] field thresholded at <paramref name="threshold"/>.
    /// </summary>
    public static TwoPointCorrelation TwoPoint(Tensor volume, double threshold)
    {
        if (volume.Rank != 3) throw new ShapeException($"two-point correlation needs a 3D volume [D, H, W], got {volume.Shape}");
        using var scope = TensorScope.Begin();
        var phase = Ops.Cast(Ops.GreaterThan(ToCompute(volume), threshold), DType.Float64);
        var spectrum = Fourier.Transform3d(Fourier.FromReal(phase));
        var power = Ops.Sum(Ops.Square(spectrum), -1); // |X|^2, real
        var auto = Fourier.RealPart(Fourier.Transform3d(Fourier.FromReal(power), inverse: true)).ToArray<double>();
        int d = volume.Shape[0], h = volume.Shape[1], w = volume.Shape[2], n = d * h * w;
        int maxR = Math.Min(d, Math.Min(h, w)) / 2;
        var sums = new double[maxR + 1];
        var counts = new int[maxR + 1];
        for (int a = 0; a < d; a++)
        for (int b = 0; b < h; b++)
        for (int c = 0; c < w; c++)
        {
            int da = Math.Min(a, d - a), db = Math.Min(b, h - b), dc = Math.Min(c, w - c);
            int bin = (int)Math.Round(Math.Sqrt(da * da + db * db + dc * dc), MidpointRounding.AwayFromZero);
            if (bin > maxR) continue;
            sums[bin] += auto[(a * h + b) * w + c] / n;
            counts[bin]++;
        }
        var radii = Enumerable.Range(0, maxR + 1).Where(r => counts[r] > 0).ToArray();
        return new TwoPointCorrelation(auto[0] / n, radii, radii.Select(r => sums[r] / counts[r]).ToArray());
    }

    private static Tensor ToCompute(Tensor t) => t.DType == DType.Float16 ? Ops.Cast(t, DType.Float32) : t;
}
