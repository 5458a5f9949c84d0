using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Layers;

namespace VoxelGan.Gan.Training;

/// <summary>Where the training volumes come from: a folder of volume files, or spheres generated in memory.</summary>
/// <param name="Source">A folder path, or <c>spheres</c>.</param>
/// <param name="Count">Spheres only: how many volumes.</param>
/// <param name="Seed">Spheres only: their seed.</param>
/// <param name="Style">Spheres only: periodic non-overlapping packings, or the authors' generator.</param>
public sealed record DataSpec(string Source, int Count = 1000, ulong Seed = 0, SphereStyle Style = SphereStyle.Authors)
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

    /// <summary>
    /// Parses <see cref="ToJson"/>'s output; <paramref name="source"/> names it in errors. Options a run
    /// was written without take the behaviour of the version that wrote it, not today's default:
    /// PyTorch's transposed convolution, a shared loss scaler, batches drawn with replacement, the
    /// unscaled loss clipped (<see cref="Legacy"/>), periodic spheres.
    /// </summary>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            var root = JsonNode.Parse(json);
            var config = root.Deserialize<RunConfig>(Json) ?? throw new InvalidDataException($"{source}: empty run configuration");
            bool Has(string section, string key) => root?[section] is JsonObject o && o.ContainsKey(key);
            if (!Has("gan", "transposed_convolution")) config = config with { Gan = config.Gan with { TransposedConvolution = SameConvention.PyTorch } };
            if (!Has("train", "recipe_version")) config = config with { Train = Legacy(config.Train) };
            if (!Has("data", "style")) config = config with { Data = config.Data with { Style = SphereStyle.Periodic } };
            return config;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a VoxelGan run configuration ({e.Message})");
        }
    }

    /// <summary>The training behaviour of runs written before <see cref="TrainOptions.RecipeVersion"/> 2.</summary>
    public static TrainOptions Legacy(TrainOptions t) => t with
    {
        LossDividedByBatch = false, LossScalers = LossScalerMode.Shared, Batches = BatchOrder.Replacement, RecipeVersion = 1,
    };
}
