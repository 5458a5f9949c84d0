using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>How activations are stored between blocks (<c>--precision fp32|mixed</c>).</summary>
public enum Precision
{
    /// <summary>Everything in float32; every intermediate kept for backward.</summary>
    Fp32,

    /// <summary>
    /// Block outputs stored in float16, float32 weights and optimizer state, compute in float32; each
    /// block is recomputed in backward (<see cref="Functional.Recompute"/>), use with a
    /// <see cref="DynamicLossScaler"/>.
    /// </summary>
    Mixed,
}

/// <summary>Parsing and applying <see cref="Precision"/>.</summary>
public static class PrecisionExtensions
{
    /// <summary>Parses <c>fp32</c> or <c>mixed</c>.</summary>
    public static Precision ParsePrecision(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "mixed" or "fp16" => Precision.Mixed,
        _ => throw new ArgumentException($"unknown precision '{text}': expected fp32 or mixed"),
    };

    /// <summary>
    /// Applies <paramref name="block"/> to <paramref name="x"/>: directly in fp32, or with its output
    /// stored in float16 and recomputed in backward in mixed precision.
    /// </summary>
    public static Var Forward(this Layer block, Var x, Precision precision) => precision == Precision.Mixed
        ? Functional.Recompute(block.Forward, x, block.Parameters(), DType.Float16)
        : block.Forward(x);
}
