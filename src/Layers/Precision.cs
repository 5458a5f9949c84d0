using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>How activations are stored between blocks (<c>--precision fp32|mixed|mixed-no-recompute</c>).</summary>
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

    /// <summary>
    /// <see cref="Mixed"/> without the recomputation: block outputs stored in float16 as there (the same roundings: the
    /// block's input cast to float32, its output and its output's gradient to float16), but every intermediate inside a
    /// block kept for backward as in <see cref="Fp32"/>. Each block runs once instead of twice, at about the memory of
    /// fp32.
    /// </summary>
    MixedNoRecompute,
}

/// <summary>Parsing and applying <see cref="Precision"/>.</summary>
public static class PrecisionExtensions
{
    /// <summary>Parses <c>fp32</c>, <c>mixed</c> or <c>mixed-no-recompute</c>.</summary>
    public static Precision ParsePrecision(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "mixed" or "fp16" => Precision.Mixed,
        "mixed-no-recompute" => Precision.MixedNoRecompute,
        _ => throw new ArgumentException($"unknown precision '{text}': expected fp32, mixed or mixed-no-recompute"),
    };

    /// <summary>The command-line name: <c>fp32</c>, <c>mixed</c> or <c>mixed-no-recompute</c>.</summary>
    public static string Name(this Precision precision) => precision switch
    {
        Precision.Fp32 => "fp32",
        Precision.Mixed => "mixed",
        _ => "mixed-no-recompute",
    };

    /// <summary>Whether block outputs are stored in float16 (and losses need scaling).</summary>
    public static bool IsMixed(this Precision precision) => precision != Precision.Fp32;

    /// <summary>
    /// Applies <paramref name="block"/> to <paramref name="x"/>: directly in fp32; with its output stored in float16 and
    /// recomputed in backward under <see cref="Precision.Mixed"/>; with its output stored in float16 and its
    /// intermediates kept under <see cref="Precision.MixedNoRecompute"/>.
    /// </summary>
    public static Var Forward(this Layer block, Var x, Precision precision) => precision switch
    {
        Precision.Mixed => Functional.Recompute(block.Forward, x, block.Parameters(), DType.Float16),
        Precision.MixedNoRecompute => Functional.Cast(block.Forward(x.DType == DType.Float16 ? Functional.Cast(x, DType.Float32) : x), DType.Float16),
        _ => block.Forward(x),
    };
}
