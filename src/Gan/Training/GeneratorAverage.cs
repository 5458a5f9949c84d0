using VoxelGan.Gan.Models;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Gan.Training;

/// <summary>
/// An exponential moving average of the generator's weights (Yazici et al. 2019, "The unusual effectiveness of
/// averaging in GAN training"; used by ProGAN, StyleGAN, BigGAN): after every generator step,
/// theta_avg &lt;- theta_avg + (1 - decay) (theta - theta_avg). The average starts as a copy of the weights, changes
/// nothing in training and is what generation uses by default, since a GAN's weights keep circling the
/// equilibrium and their average lies closer to it than any single iterate. Stored in checkpoints as
/// <c>generator_average.*</c>, with the same names after the prefix as <c>generator.*</c>.
/// </summary>
public sealed class GeneratorAverage : IDisposable
{
    /// <summary>The prefix of the average's entries in a checkpoint.</summary>
    public const string Prefix = "generator_average.";

    private readonly List<(Tensor Live, Tensor Average)> _pairs = [];

    /// <summary>Starts the average at <paramref name="live"/>'s current weights.</summary>
    public GeneratorAverage(Generator live, double decay)
    {
        if (!(decay is > 0 and < 1)) throw new ArgumentException($"--average-decay must lie in (0, 1), got {decay}");
        Decay = decay;
        Model = new Generator(live.Config, new RandomGenerator(0), live.Parameters().First().Device);
        foreach (var ((_, l), (_, a)) in live.NamedParameters().Zip(Model.NamedParameters())) _pairs.Add((l.Data, a.Data));
        Restart();
    }

    /// <summary>Sets the average to the live weights (a start, or a resumed run whose checkpoint holds no average).</summary>
    public void Restart()
    {
        foreach (var (live, average) in _pairs) Ops.CopyInto(average, live);
    }

    /// <summary>The weight of the past in every update.</summary>
    public double Decay { get; }

    /// <summary>A generator holding the averaged weights (never trained itself).</summary>
    public Generator Model { get; }

    /// <summary>Moves the average towards the live weights; two launches per parameter, no host read.</summary>
    public void Update()
    {
        using var scope = TensorScope.Begin();
        foreach (var (live, average) in _pairs) Ops.CopyInto(average, Ops.Lerp(average, live, 1 - Decay));
    }

    /// <summary>The averaged weights under <see cref="Prefix"/> (live tensors; the caller does not dispose them).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Entries() => Model.StateDict().Select(e => KeyValuePair.Create(Prefix + e.Key, e.Value));

    /// <summary>
    /// Loads the average from a checkpoint's <see cref="Prefix"/> entries, or, when it holds none (saved before
    /// averaging was switched on), restarts it from the live weights, which must have been loaded first.
    /// </summary>
    public void Load(IReadOnlyDictionary<string, Tensor> extra, string source)
    {
        if (!LoadInto(Model, extra, source)) Restart();
    }

    /// <summary>Loads <see cref="Prefix"/> entries into <paramref name="generator"/>; false when there are none.</summary>
    public static bool LoadInto(Generator generator, IReadOnlyDictionary<string, Tensor> extra, string source)
    {
        var own = extra.Where(e => e.Key.StartsWith(Prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[Prefix.Length..], e => e.Value);
        if (own.Count == 0) return false;
        generator.LoadStateDict(own, source + " (" + Prefix + "*)");
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
