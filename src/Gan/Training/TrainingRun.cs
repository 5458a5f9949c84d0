using System.Globalization;
using System.Text;
using System.Text.Json;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Figures;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Training;

/// <summary>
/// A run folder: <c>config.json</c>, <c>metrics.jsonl</c> (one <see cref="StepMetrics"/> per line),
/// <c>checkpoints/step_NNNNNNN.safetensors</c> every <c>CheckpointEvery</c> iterations,
/// <c>latest.safetensors</c> (refreshed with every checkpoint, at the end and on interruption), and
/// <c>samples/step_NNNNNNN.png</c> (centre slices of 8 volumes from fixed latents) every <c>SampleEvery</c>.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private static readonly JsonSerializerOptions MetricsJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private TrainingRun(string folder, RunConfig config, Trainer trainer)
    {
        Folder = folder;
        Config = config;
        Trainer = trainer;
    }

#pragma warning disable CS1591
    public string Folder { get; }
    public RunConfig Config { get; }
    public Trainer Trainer { get; }
    public string LatestPath => Path.Combine(Folder, "latest.safetensors");
    public string MetricsPath => Path.Combine(Folder, "metrics.jsonl");
#pragma warning restore CS1591

    /// <summary>The checkpoint a resumed run continued from (null for a new run).</summary>
    public string? ResumedFrom { get; private init; }

    /// <summary>Newer checkpoints that could not be read when resuming, with the reason each.</summary>
    public IReadOnlyList<string> Skipped { get; private init; } = [];

    /// <summary>latest.safetensors (if present), then checkpoints/step_N.safetensors from the newest.</summary>
    public static List<string> Checkpoints(string folder)
    {
        var list = new List<string>();
        var latest = Path.Combine(folder, "latest.safetensors");
        if (File.Exists(latest)) list.Add(latest);
        var numbered = Path.Combine(folder, "checkpoints");
        if (Directory.Exists(numbered))
            list.AddRange(Directory.GetFiles(numbered, "step_*.safetensors").OrderDescending(StringComparer.Ordinal));
        return list;
    }

    /// <summary>
    /// The newest checkpoint whose weights are all finite (after a non-finite loss, latest.safetensors may
    /// already hold the NaN weights), or null when none is.
    /// </summary>
    public string? LastFiniteCheckpoint()
    {
        foreach (var path in Checkpoints(Folder))
        {
            try
            {
                var (tensors, _) = SafeTensors.Load(path, Trainer.Device);
                bool finite = true;
                foreach (var t in tensors.Values)
                {
                    finite &= Array.TrueForAll(t.ToDoubleArray(), double.IsFinite);
                    t.Dispose();
                }
                if (finite) return path;
            }
            catch (Exception e) when (e is InvalidDataException or IOException) { }
        }
        return null;
    }

    /// <summary>Starts a new run in <paramref name="folder"/> (which must not hold one already).</summary>
    public static TrainingRun Start(string folder, Models.GanConfig gan, TrainOptions train, DataSpec data, Device device, IProgress<int>? loading = null)
    {
        if (File.Exists(Path.Combine(folder, "config.json")))
            throw new ArgumentException($"{folder} already holds a run; continue it with --resume {folder} or choose another --out");
        var dataset = data.Load(gan.Size, loading);
        gan = gan with { LambdaMin = dataset.Stats.LambdaMin, LambdaMax = dataset.Stats.LambdaMax };
        var config = new RunConfig(gan, train, data, dataset.Stats);
        var trainer = new Trainer(gan, train, dataset.ToTensor(device), device);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), config.ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.jsonl"), "");
        return new TrainingRun(folder, config, trainer);
    }

    /// <summary>Reopens a run at its <c>latest.safetensors</c>; <paramref name="iterations"/> may extend it.</summary>
    public static TrainingRun Resume(string folder, Device device, long? iterations = null, IProgress<int>? loading = null)
    {
        var configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"--resume {folder}: no config.json there; is it a run folder?");
        var config = RunConfig.FromJson(File.ReadAllText(configPath), configPath);
        if (iterations is long it) config = config with { Train = config.Train with { Iterations = it } };
        var candidates = Checkpoints(folder);
        if (candidates.Count == 0) throw new FileNotFoundException($"--resume {folder}: no latest.safetensors; the run stopped before its first checkpoint, start it again");
        var dataset = config.Data.Load(config.Gan.Size, loading);
        var trainer = new Trainer(config.Gan, config.Train, dataset.ToTensor(device), device);
        // The newest intact checkpoint: latest.safetensors, else the numbered ones, newest first.
        var problems = new List<string>();
        string? used = null;
        foreach (var candidate in candidates)
        {
            try
            {
                trainer.Load(candidate);
                used = candidate;
                break;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ShapeException or ArgumentException)
            {
                problems.Add($"{Path.GetFileName(candidate)}: {e.Message}");
            }
        }
        if (used is null)
        {
            trainer.Dispose();
            throw new InvalidDataException($"--resume {folder}: no checkpoint could be read ({string.Join("; ", problems)})");
        }
        var run = new TrainingRun(folder, config, trainer) { ResumedFrom = used, Skipped = problems };
        run.TrimMetrics(trainer.Step);
        return run;
    }

    /// <summary>
    /// Trains until <c>Iterations</c> or until <paramref name="stop"/> is cancelled (then the current
    /// step finishes and latest.safetensors is written). <paramref name="onStep"/> sees every step's metrics.
    /// </summary>
    public void Run(CancellationToken stop, Action<StepMetrics>? onStep = null)
    {
        var options = Config.Train;
        using var metrics = new StreamWriter(new FileStream(MetricsPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        while (Trainer.Step < options.Iterations && !stop.IsCancellationRequested)
        {
            var m = Trainer.TrainStep();
            metrics.WriteLine(JsonSerializer.Serialize(m, MetricsJson));
            metrics.Flush();
            onStep?.Invoke(m);
            if (options.SampleEvery > 0 && m.Step % options.SampleEvery == 0) WriteSamples();
            if (options.CheckpointEvery > 0 && m.Step % options.CheckpointEvery == 0)
            {
                Save(Path.Combine(Folder, "checkpoints", $"step_{m.Step:D7}.safetensors"));
                Save(LatestPath);
            }
        }
        Save(LatestPath);
    }

    /// <summary>Writes a checkpoint with the run configuration in its metadata.</summary>
    public void Save(string path) => Trainer.Save(path, new Dictionary<string, string> { ["run_config"] = Config.ToJson() });

    /// <summary>Centre slices of 8 volumes generated from latents fixed for the whole run.</summary>
    public string WriteSamples()
    {
        var path = Path.Combine(Folder, "samples", $"step_{Trainer.Step:D7}.png");
        using var volumes = Trainer.Generate(8, 1, Config.Train.Seed + 12345);
        int n = Config.Gan.Size;
        var values = volumes.ToArray<float>();
        var slices = Enumerable.Range(0, 8).Select(i => new Volume(values[(i * n * n * n)..((i + 1) * n * n * n)], n, n, n, "sample").CentreSlice()).ToList();
        SliceGrid.Save(path, slices, n, n, Config.Gan.LambdaMin, Config.Gan.LambdaMax, columns: 4, zoom: Math.Max(1, 128 / n));
        return path;
    }

    /// <summary>Drops metric lines past the checkpoint a resumed run restarts from.</summary>
    private void TrimMetrics(long step)
    {
        if (!File.Exists(MetricsPath)) return;
        var kept = File.ReadAllLines(MetricsPath).Where(l => l.Length > 0 && JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64() <= step);
        AtomicFile.WriteAllText(MetricsPath, string.Concat(kept.Select(l => l + "\n")));
    }

    /// <inheritdoc />
    public void Dispose() => Trainer.Dispose();
}
