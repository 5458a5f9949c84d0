using VoxelGan.Autograd;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Figures;
using VoxelGan.Gan.Models;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Generation;

/// <summary>One generated volume: values in data units (de-standardized) and its binary phase map.</summary>
/// <param name="Raw">The volume in the units of the training data.</param>
/// <param name="Phases">1 where the standardized value exceeds the run's phase threshold, else 0.</param>
public sealed record GeneratedVolume(Volume Raw, byte[] Phases);

/// <summary>
/// New microstructures from a trained generator (paper section 3.6): latents z ~ N(0, sigma^2 I) in
/// batches, the generator's standardized output turned back into data units (x sigma_data + mean_data)
/// and split into phases at <see cref="Standardization.Threshold"/>.
/// </summary>
public sealed class Sampler : IDisposable
{
    /// <summary>Volumes generated per forward pass.</summary>
    public const int BatchSize = 8;

    private readonly GanPair _models;

    private Sampler(RunConfig config, GanPair models, Device device) => (Config, _models, Device) = (config, models, device);

    /// <summary>The run the checkpoint came from (architecture, standardization).</summary>
    public RunConfig Config { get; }

    /// <summary>Where the generator runs.</summary>
    public Device Device { get; }

    /// <summary>Loads the generator of a checkpoint written by training (its run configuration is in the metadata).</summary>
    public static Sampler FromCheckpoint(string path, Device device)
    {
        var config = ReadConfig(path);
        var models = new GanPair(config.Gan, 0, device);
        try
        {
            var (extra, _) = Checkpoint.Load(path, models, "optimizer.");
            foreach (var t in extra.Values) t.Dispose();
            return new Sampler(config, models, device);
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
        for (int start = 0; start < count; start += BatchSize)
        {
            int batch = Math.Min(BatchSize, count - start);
            float[] values;
            using (var volumes = Generate(_models.Generator, batch, sigma, seed + (ulong)start, Device)) values = volumes.ToArray<float>();
            for (int i = 0; i < batch; i++)
            {
                var standardized = values.AsSpan(i * voxels, voxels);
                var raw = new float[voxels];
                var phases = new byte[voxels];
                for (int v = 0; v < voxels; v++)
                {
                    raw[v] = (float)stats.ToRaw(standardized[v]);
                    phases[v] = standardized[v] > stats.Threshold ? (byte)1 : (byte)0;
                }
                yield return new GeneratedVolume(new Volume(raw, n, n, n, $"sample_{start + i:D4}"), phases);
            }
        }
    }

    /// <summary>
    /// Writes <c>raw/NAME.npy</c> (float32, data units), <c>phases/NAME.npy</c> (uint8), optionally
    /// <c>vti/NAME.vti</c>, and <c>slices.png</c> (centre slices of the first 16) into <paramref name="folder"/>;
    /// returns the path of the slice grid. <paramref name="progress"/> counts volumes written.
    /// </summary>
    public string WriteAll(string folder, int count, double sigma, ulong seed, bool vti = false, IProgress<int>? progress = null)
    {
        int n = Config.Gan.Size, written = 0;
        var slices = new List<float[]>();
        foreach (var volume in Sample(count, sigma, seed))
        {
            string name = volume.Raw.Source;
            NpyFile.Write(Path.Combine(folder, "raw", name + ".npy"), volume.Raw.Values, n, n, n);
            NpyFile.Write(Path.Combine(folder, "phases", name + ".npy"), volume.Phases, n, n, n);
            if (vti) VtiFile.Write(Path.Combine(folder, "vti", name + ".vti"), volume.Raw);
            if (slices.Count < 16) slices.Add(volume.Raw.CentreSlice());
            progress?.Report(++written);
        }
        var grid = Path.Combine(folder, "slices.png");
        var stats = Config.Stats;
        SliceGrid.Save(grid, slices, n, n, stats.ToRaw(stats.LambdaMin), stats.ToRaw(stats.LambdaMax), columns: 4, zoom: Math.Max(1, 128 / n));
        return grid;
    }

    /// <inheritdoc />
    public void Dispose() => _models.Dispose();
}
