using VoxelGan.Autograd;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Figures;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Generation;

/// <summary>Which of a checkpoint's generator weights make volumes.</summary>
public enum GeneratorWeights
{
    /// <summary>The moving average of the weights when the run kept one (<see cref="GeneratorAverage"/>), else the trained weights.</summary>
    Average,

    /// <summary>The trained weights.</summary>
    Trained,
}

/// <summary>One generated volume: values in data units (de-standardized) and its binary phase map.</summary>
/// <param name="Raw">The volume in the units of the training data.</param>
/// <param name="Phases">1 where the standardized value exceeds the run's phase threshold, else 0.</param>
public sealed record GeneratedVolume(Volume Raw, byte[] Phases);

/// <summary>
/// New microstructures from a trained generator (paper section 3.6): latents z ~ N(0, sigma^2 I) in
/// batches, the generator's standardized output turned back into data units (x sigma_data + mean_data)
/// and split into phases at <see cref="Standardization.Threshold"/> under <see cref="Phases"/>.
/// </summary>
public sealed class Sampler : IDisposable
{
    /// <summary>Volumes generated per forward pass.</summary>
    public const int BatchSize = 8;

    private readonly GanPair _models;

    private Sampler(RunConfig config, GanPair models, Device device, string source) => (Config, _models, Device, Source) = (config, models, device, source);

    /// <summary>The checkpoint the generator came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The run the checkpoint came from (architecture, standardization).</summary>
    public RunConfig Config { get; }

    /// <summary>Where the generator runs.</summary>
    public Device Device { get; }

    /// <summary>Where volumes are split into phases: the data mean (standardized 0, the authors' rule, default) or the midpoint of the data range.</summary>
    public PhaseThreshold Phases { get; set; } = PhaseThreshold.DataMean;

    /// <summary>The generator volumes come from (the averaged or the trained weights, <see cref="Averaged"/>).</summary>
    public Generator Generator => _models.Generator;

    /// <summary>Whether the generator holds the run's averaged weights (<see cref="GeneratorAverage"/>) rather than the trained ones.</summary>
    public bool Averaged { get; private init; }

    /// <summary>
    /// Loads the generator of a checkpoint written by training (its run configuration is in the metadata) with the
    /// chosen <paramref name="weights"/>.
    /// </summary>
    public static Sampler FromCheckpoint(string path, Device device, GeneratorWeights weights = GeneratorWeights.Average)
    {
        var config = ReadConfig(path);
        var models = new GanPair(config.Gan, 0, device);
        try
        {
            var (extra, _) = Checkpoint.Load(path, models, "optimizer.", GeneratorAverage.Prefix);
            try
            {
                bool loaded = weights == GeneratorWeights.Average && GeneratorAverage.LoadInto(models.Generator, extra, path);
                return new Sampler(config, models, device, path) { Averaged = loaded };
            }
            finally
            {
                foreach (var t in extra.Values) t.Dispose();
            }
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    /// <summary>The run configuration stored in a checkpoint's metadata.</summary>
    public static RunConfig ReadConfig(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint");
        var metadata = SafeTensors.ReadMetadata(path);
        return metadata.TryGetValue("run_config", out var json) ? RunConfig.FromJson(json, path)
            : throw new InvalidDataException($"{path}: no run configuration in the checkpoint metadata; was it written by voxelgan train?");
    }

    /// <summary>Generates <paramref name="count"/> standardized volumes [count, 1, n, n, n] from N(0, sigma^2) latents, without a graph.</summary>
    public static Tensor Generate(Generator generator, int count, double sigma, ulong seed, Device device)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        var z = Ops.Normal(new Shape(count, generator.Config.LatentDim), new RandomGenerator(seed), 0, sigma, device: device);
        return generator.Forward(new Var(z)).Data.MoveToOuter();
    }

    /// <summary>
    /// <paramref name="count"/> volumes named <c>sample_NNNN</c>; batch b uses latent seed
    /// <paramref name="seed"/> + 8b, so a volume depends only on (seed, its index).
    /// </summary>
    public IEnumerable<GeneratedVolume> Sample(int count, double sigma, ulong seed)
    {
        if (count < 1) throw new ArgumentException($"the number of volumes must be positive, got {count}");
        if (!(sigma > 0)) throw new ArgumentException($"the latent standard deviation sigma must be positive, got {sigma}");
        int n = Config.Gan.Size, voxels = n * n * n;
        var stats = Config.Stats;
        double threshold = stats.Threshold(Phases);
        for (int start = 0; start < count; start += BatchSize)
        {
            int batch = Math.Min(BatchSize, count - start);
            float[] values;
            using (var volumes = Generate(_models.Generator, batch, sigma, seed + (ulong)start, Device)) values = volumes.ToArray<float>();
            int bad = values.Count(v => !float.IsFinite(v));
            if (bad > 0)
                throw new InvalidDataException($"{Source}: the generator produced {bad:N0} non-finite values in volumes {start}..{start + batch - 1} " +
                    $"(non-finite weights in the checkpoint, or a latent standard deviation of {sigma} too large for float32)");
            for (int i = 0; i < batch; i++)
            {
                var standardized = values.AsSpan(i * voxels, voxels);
                var raw = new float[voxels];
                var phases = new byte[voxels];
                for (int v = 0; v < voxels; v++)
                {
                    raw[v] = (float)stats.ToRaw(standardized[v]);
                    phases[v] = standardized[v] > threshold ? (byte)1 : (byte)0;
                }
                yield return new GeneratedVolume(new Volume(raw, n, n, n, $"sample_{start + i:D4}"), phases);
            }
        }
    }

    /// <summary>
    /// Writes <c>raw/NAME.npy</c> (float32, data units), <c>phases/NAME.npy</c> (uint8), optionally
    /// <c>vti/NAME.vti</c>, and <c>slices.png</c> (centre slices of the first 16) into <paramref name="folder"/>;
    /// returns the path of the slice grid. <paramref name="progress"/> counts volumes written. The folder
    /// must hold no earlier output (see <see cref="PrepareFolder"/>); if generation fails part way (a
    /// non-finite output), the files of this call are removed again, so a failed run leaves nothing behind.
    /// </summary>
    public string WriteAll(string folder, int count, double sigma, ulong seed, bool vti = false, IProgress<int>? progress = null)
    {
        int n = Config.Gan.Size, done = 0;
        var slices = new List<float[]>();
        var written = new List<string>();
        try
        {
            foreach (var volume in Sample(count, sigma, seed))
            {
                string name = volume.Raw.Source;
                written.Add(Path.Combine(folder, "raw", name + ".npy"));
                NpyFile.Write(written[^1], volume.Raw.Values, n, n, n);
                written.Add(Path.Combine(folder, "phases", name + ".npy"));
                NpyFile.Write(written[^1], volume.Phases, n, n, n);
                if (vti)
                {
                    written.Add(Path.Combine(folder, "vti", name + ".vti"));
                    VtiFile.Write(written[^1], volume.Raw);
                }
                if (slices.Count < 16) slices.Add(volume.Raw.CentreSlice());
                progress?.Report(++done);
            }
        }
        catch
        {
            foreach (var file in written) File.Delete(file);
            throw;
        }
        var grid = Path.Combine(folder, "slices.png");
        var stats = Config.Stats;
        double threshold = stats.Threshold(Phases);
        SliceGrid.Save(grid, slices, n, n, stats.ToRaw(stats.LambdaMin), stats.ToRaw(stats.LambdaMax), columns: 4, zoom: Math.Max(1, 128 / n));
        return grid;
    }

    /// <summary>
    /// Makes <paramref name="folder"/> ready for <see cref="WriteAll"/>: a folder that already holds files is
    /// refused (volumes of two models, or two sizes, would mix, and an evaluation would not notice) unless
    /// <paramref name="overwrite"/>, which first removes the earlier output (raw/, phases/, vti/, slices.png
    /// and an evaluation's evaluation.json and s2.png). A path that is a file is refused.
    /// </summary>
    public static void PrepareFolder(string folder, bool overwrite)
    {
        if (File.Exists(folder)) throw new IOException($"{folder} is a file; give a folder for the generated volumes");
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return;
        if (!overwrite)
            throw new IOException($"{folder} already holds files ({string.Join(", ", Directory.EnumerateFileSystemEntries(folder).Take(3).Select(Path.GetFileName))}...); " +
                "choose an empty --out, or pass --overwrite to remove the earlier samples first");
        foreach (var sub in new[] { "raw", "phases", "vti" })
            if (Directory.Exists(Path.Combine(folder, sub))) Directory.Delete(Path.Combine(folder, sub), recursive: true);
        foreach (var file in new[] { "slices.png", "evaluation.json", "s2.png" })
            File.Delete(Path.Combine(folder, file));
    }

    /// <inheritdoc />
    public void Dispose() => _models.Dispose();
}
