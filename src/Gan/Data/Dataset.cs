using VoxelGan.Tensors;

namespace VoxelGan.Gan.Data;

/// <summary>How the training data were standardized (paper section 3: zero mean, unit variance over the dataset).</summary>
/// <param name="Mean">Mean voxel value of the raw data.</param>
/// <param name="Std">Standard deviation of the raw data.</param>
/// <param name="LambdaMin">Smallest standardized value (the generator's lower output bound).</param>
/// <param name="LambdaMax">Largest standardized value (upper bound).</param>
public sealed record Standardization(double Mean, double Std, double LambdaMin, double LambdaMax)
{
    /// <summary>The threshold between the phases in standardized units: 0 (the data mean) or (lambda_min + lambda_max) / 2.</summary>
    public double Threshold(PhaseThreshold rule) => rule == PhaseThreshold.DataMean ? 0 : (LambdaMin + LambdaMax) / 2;

    /// <summary>Maps a standardized value back to raw units.</summary>
    public double ToRaw(double v) => v * Std + Mean;
}

/// <summary>A set of equally sized cubic volumes held in memory.</summary>
public sealed class Dataset
{
    private Dataset(List<Volume> volumes, string source)
    {
        Volumes = volumes;
        Source = source;
        var all = volumes.SelectMany(v => v.Values).Select(v => (double)v).ToArray();
        double mean = all.Average();
        double std = Math.Sqrt(all.Select(v => (v - mean) * (v - mean)).Average());
        if (!(std > 0)) throw new InvalidDataException($"{source}: every voxel has the value {mean}; a constant dataset cannot be standardized");
        Stats = new Standardization(mean, std, (all.Min() - mean) / std, (all.Max() - mean) / std);
    }

    /// <summary>The volumes, raw values.</summary>
    public IReadOnlyList<Volume> Volumes { get; }

    /// <summary>Where they came from.</summary>
    public string Source { get; }

    /// <summary>Mean, std and lambda range.</summary>
    public Standardization Stats { get; }

    /// <summary>Edge length.</summary>
    public int Size => Volumes[0].D;

    /// <summary>Wraps in-memory volumes (all n^3 with the same n).</summary>
    public static Dataset FromVolumes(IReadOnlyList<Volume> volumes, string source)
    {
        if (volumes.Count == 0) throw new ArgumentException($"{source}: no volumes");
        var first = volumes[0];
        foreach (var v in volumes)
        {
            if (v.D != v.H || v.H != v.W) throw new ShapeException($"{v.Source}: training volumes must be cubes, this one is {v.D}x{v.H}x{v.W}");
            if (v.D != first.D) throw new ShapeException($"{v.Source}: {v.D}^3 differs from {first.Source}: {first.D}^3; all training volumes must have one size");
        }
        return new Dataset([.. volumes], source);
    }

    /// <summary>Loads every volume file of a folder (or the files named).</summary>
    public static Dataset Load(string folder, IProgress<int>? progress = null)
    {
        var files = VolumeFile.Expand([folder]);
        var volumes = new List<Volume>();
        foreach (var f in files)
        {
            volumes.Add(VolumeFile.Read(f));
            progress?.Report(volumes.Count);
        }
        return FromVolumes(volumes, folder);
    }

    /// <summary>The spheres of DESIGN.md section 4, generated in memory: radius n/8, fraction 0.2.</summary>
    public static Dataset Spheres(int count, int size, ulong seed, SphereStyle style = SphereStyle.Periodic)
    {
        var volumes = Enumerable.Range(0, count).Select(i =>
        {
            var phases = SpherePacking.Generate(size, size / 8.0, 0.2, unchecked((int)seed * 7919 + i), style);
            return new Volume(Array.ConvertAll(phases, p => (float)p), size, size, size, $"spheres[{i}]");
        }).ToList();
        return FromVolumes(volumes, $"spheres (count {count}, size {size}, seed {seed})");
    }

    /// <summary>All volumes standardized, as one [N, 1, n, n, n] float32 tensor.</summary>
    public Tensor ToTensor(Device device)
    {
        int n = Size, voxels = n * n * n;
        var data = new float[Volumes.Count * voxels];
        for (int i = 0; i < Volumes.Count; i++)
            for (int j = 0; j < voxels; j++)
                data[i * voxels + j] = (float)((Volumes[i].Values[j] - Stats.Mean) / Stats.Std);
        return Tensor.FromArray(data, new Shape(Volumes.Count, 1, n, n, n), device);
    }
}
