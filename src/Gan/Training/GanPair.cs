using VoxelGan.Gan.Models;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Gan.Training;

/// <summary>The generator and the critic under one module, so one checkpoint holds both (<c>generator.*</c>, <c>critic.*</c>).</summary>
public sealed class GanPair : Module
{
    /// <summary>Builds both networks from one seed (generator first).</summary>
    public GanPair(GanConfig config, ulong seed, Device? device = null)
    {
        var rng = new RandomGenerator(seed);
        Generator = AddModule("generator", new Generator(config, rng, device));
        Critic = AddModule("critic", new Critic(config, rng, device));
        // Orthogonal(gain) is gain x Orthogonal(1): scaling after drawing keeps every draw, and so every
        // existing seed, unchanged at gain 1.
        if (config.InitGain != 1)
            foreach (var (name, p) in NamedParameters().Where(p => p.Name.EndsWith(".weight", StringComparison.Ordinal)))
            {
                using var scaled = Ops.MulScalar(p.Data, config.InitGain);
                Ops.CopyInto(p.Data, scaled);
            }
    }

    /// <summary>The generator.</summary>
    public Generator Generator { get; }

    /// <summary>The critic.</summary>
    public Critic Critic { get; }
}
