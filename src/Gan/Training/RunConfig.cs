using System.Text.Json;
using System.Text.Json.Serialization;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;

namespace VoxelGan.Gan.Training;

/// <summary>Where the training volumes come from: a folder of volume files, or spheres generated in memory.</summary>
/// <param name="Source">A folder path, or <c>spheres</c>.</param>
/// <param name="Count">Spheres only: how many volumes.</param>
/// <param name="Seed">Spheres only: their seed.</param>
/// <param name="Style">Spheres only: periodic non-overlapping packings, or the authors' generator.</param>
public sealed record DataSpec(string Source, int Count = 1000, ulong Seed = 0, SphereStyle Style = SphereStyle.Periodic)
{
    /// <summary>True for the embedded default.</summary>
    [JsonIgnore]
    public bool IsSpheres => Source == "spheres";

    /// <summary>Loads or generates the dataset for volumes of edge <paramref name="size"/>.</summary>
    public Dataset Load(int size, IProgress<int>? progress = null)
    {
        if (IsSpheres) return Dataset.Spheres(Count, size, Seed, Style);
        if (!Directory.Exists(Source) && !File.Exists(Source)) throw new DirectoryNotFoundException($"--data {Source}: no such folder (or use --data spheres)");
        var data = Dataset.Load(Source, progress);
        if (data.Size != size) throw new ArgumentException($"--data {Source} holds {data.Size}^3 volumes but --size is {size}");
        return data;
    }
}

/// <summary>Everything that defines a run: <c>config.json</c> of the run folder, also stored in every checkpoint.</summary>
/// <param name="Gan">The architecture (with the data's lambda range).</param>
/// <param name="Train">The hyperparameters.</param>
/// <param name="Data">The data source.</param>
/// <param name="Stats">The data's standardization.</param>
public sealed record RunConfig(GanConfig Gan, TrainOptions Train, DataSpec Data, Standardization Stats)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses <see cref="ToJson"/>'s output; <paramref name="source"/> names it in errors.</summary>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new InvalidDataException($"{source}: empty run configuration");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a VoxelGan run configuration ({e.Message})");
        }
    }
}
