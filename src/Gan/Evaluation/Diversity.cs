namespace VoxelGan.Gan.Evaluation;

/// <summary>How varied a generated set is, against the training set it should resemble.</summary>
/// <param name="VoxelStdReal">Mean over voxels of the standard deviation across the training set (sqrt(p (1 - p)) for 0/1 maps).</param>
/// <param name="VoxelStdFake">The same across the generated set: near 0 when every volume is the same (mode collapse).</param>
/// <param name="P1StdReal">Standard deviation of p1 over the training volumes.</param>
/// <param name="P1StdFake">Standard deviation of p1 over the generated volumes.</param>
/// <param name="NearestTraining">Per generated volume, the fraction of voxels in which it differs from its nearest training volume.</param>
/// <param name="TrainingNearest">The same among the training volumes (each against its nearest other one): what "different volumes" means for this data.</param>
/// <param name="TemplateReal">The training set's position template (<see cref="Diversity.Template"/>): about 0 for stationary data.</param>
/// <param name="TemplateFake">The generated set's: above the training set's when the generator puts phase 1 at preferred voxels in every volume.</param>
public sealed record DiversityReport(double VoxelStdReal, double VoxelStdFake, double P1StdReal, double P1StdFake, double[] NearestTraining, double TrainingNearest,
    double TemplateReal, double TemplateFake)
{
    /// <summary><see cref="VoxelStdFake"/> / <see cref="VoxelStdReal"/>: about 1 for a set as varied as the training set.</summary>
    public double VoxelStdRatio => VoxelStdFake / VoxelStdReal;

    /// <summary>
    /// A plain reading: "collapsed" when the generated volumes vary less than half as much per voxel as
    /// the training volumes; "memorized" when some generated volume is closer to a training volume than a
    /// quarter of the typical distance between training volumes; else "diverse".
    /// </summary>
    public string Verdict =>
        VoxelStdReal == 0 ? "undecided: the training volumes are all the same, so there is no variation to compare with"
        : VoxelStdRatio < 0.5 ? "collapsed: the generated volumes vary less than half as much per voxel as the training volumes (mode collapse)"
        : NearestTraining.Length > 0 && NearestTraining.Min() < 0.25 * TrainingNearest ? "memorized: some generated volumes nearly copy a training volume"
        : "diverse: the generated volumes vary per voxel like the training volumes and copy none of them";
}

/// <summary>Measures <see cref="DiversityReport"/> from two sets of phase maps of one size.</summary>
public static class Diversity
{
    /// <summary>Training volumes each generated volume is compared with, at most (the first ones; the cost is count x count x voxels).</summary>
    public const int MaxCompared = 256;

    /// <summary>Measures the diversity of <paramref name="fake"/> against <paramref name="real"/> (0/1 phase maps).</summary>
    public static DiversityReport Measure(IReadOnlyList<byte[]> real, IReadOnlyList<byte[]> fake)
    {
        if (real.Count == 0 || fake.Count == 0) throw new ArgumentException("diversity needs at least one volume in each set");
        int n = real[0].Length;
        if (real.Concat(fake).Any(v => v.Length != n)) throw new ArgumentException("diversity compares volumes of one size");
        var compared = real.Take(MaxCompared).ToArray();
        var nearest = fake.Select(f => compared.Min(r => Distance(f, r))).ToArray();
        double trainingNearest = compared.Length < 2 ? double.NaN
            : Statistics.Mean(compared.Select((r, i) => compared.Where((_, j) => j != i).Min(o => Distance(r, o))).ToArray());
        return new DiversityReport(VoxelStd(real), VoxelStd(fake), Statistics.StandardDeviation(P1(real)), Statistics.StandardDeviation(P1(fake)),
            nearest, trainingNearest, Template(real), Template(fake));
    }

    /// <summary>
    /// How strongly a set prefers some voxels to others: the standard deviation over voxels of each voxel's chance of
    /// being phase 1, with the chance part of N volumes taken out. With m_i the fraction of the set in phase 1 at voxel
    /// i, Var_i(m_i) overstates the spread of the underlying chances by their sampling variance p (1 - p) / N, estimated
    /// without bias by mean_i m_i (1 - m_i) / (N - 1); the result is sqrt(max(0, Var_i(m_i) - that)). Stationary data
    /// (a sphere packing at random positions) gives about 0 at any N; a generator that draws its inclusions at the same
    /// places in every volume gives up to sqrt(p (1 - p)). NaN for fewer than two volumes.
    /// </summary>
    public static double Template(IReadOnlyList<byte[]> set)
    {
        if (set.Count < 2) return double.NaN;
        var m = VoxelMeans(set);
        double spread = Statistics.StandardDeviation(m);
        double sampling = Statistics.Mean(Array.ConvertAll(m, x => x * (1 - x))) / (set.Count - 1);
        return Math.Sqrt(Math.Max(0, spread * spread - sampling));
    }

    /// <summary>Per voxel, the fraction of the set in phase 1.</summary>
    private static double[] VoxelMeans(IReadOnlyList<byte[]> set)
    {
        var ones = new int[set[0].Length];
        foreach (var v in set)
            for (int i = 0; i < ones.Length; i++) ones[i] += v[i] != 0 ? 1 : 0;
        return Array.ConvertAll(ones, c => c / (double)set.Count);
    }

    private static double[] P1(IReadOnlyList<byte[]> set) => set.Select(v => v.Count(b => b != 0) / (double)v.Length).ToArray();

    /// <summary>Mean over voxels of sqrt(p (1 - p)), p the fraction of the set in phase 1 at that voxel.</summary>
    private static double VoxelStd(IReadOnlyList<byte[]> set) => Statistics.Mean(VoxelMeans(set).Select(p => Math.Sqrt(p * (1 - p))).ToArray());

    /// <summary>Fraction of voxels in which two phase maps differ.</summary>
    private static double Distance(byte[] a, byte[] b)
    {
        int differ = 0;
        for (int i = 0; i < a.Length; i++) differ += (a[i] != 0) != (b[i] != 0) ? 1 : 0;
        return differ / (double)a.Length;
    }
}
