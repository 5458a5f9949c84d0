using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>Global-norm gradient clipping (TensorFlow's <c>clip_by_global_norm</c>).</summary>
public static class GradientClipping
{
    /// <summary>sqrt(sum over tensors of sum g^2), squared and summed in float64 on the device, read once.</summary>
    public static double GlobalNorm(IEnumerable<Tensor> gradients)
    {
        using var scope = TensorScope.Begin();
        Tensor? total = null;
        foreach (var g in gradients)
        {
            var s = Ops.Sum(Ops.Square(g.DType == DType.Float64 ? g : Ops.Cast(g, DType.Float64)));
            total = total is null ? s : Ops.Add(total, s);
        }
        return total is null ? 0 : Math.Sqrt(total.Item());
    }

    /// <summary>
    /// The factor c / max(norm, c) that brings a joint norm down to at most c (1 when already below
    /// it, or when c is 0, which disables clipping). A non-finite norm gives NaN, so the step that
    /// uses it is visibly broken rather than silently skipped.
    /// </summary>
    public static double Factor(double norm, double clipNorm) =>
        clipNorm <= 0 ? 1 : double.IsFinite(norm) ? clipNorm / Math.Max(norm, clipNorm) : double.NaN;
}
