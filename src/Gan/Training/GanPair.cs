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
        foreach (var (module, gain) in new Module[] { Generator, Critic }.Zip([config.InitGain, config.CriticInitGain ?? config.InitGain]))
            if (gain != 1)
                foreach (var (_, p) in module.NamedParameters().Where(p => p.Name.EndsWith(".weight", StringComparison.Ordinal)))
                    Initializers.Rescale(p.Data, gain);
    }

    /// <summary>The generator.</summary>
    public Generator Generator { get; }

    /// <summary>The critic.</summary>
    public Critic Critic { get; }
}
