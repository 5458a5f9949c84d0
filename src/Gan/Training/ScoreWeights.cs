using VoxelGan.Tensors;

namespace VoxelGan.Gan.Training;

/// <summary>
/// Constant weights that reduce the critic's scores s [2b, 1] of a joint batch (b real volumes, then b generated ones)
/// with one product each, where slicing the halves and averaging each would take a slice, a sum and a scale per half,
/// and as many launches again for their adjoints in backward: the Wasserstein estimate E[D(fake)] - E[D(real)] = u s
/// with u = [-1/b (b times), 1/b (b times)] [1, 2b], and both means at once, M s with M = [[1/b ..., 0 ...], [0 ...,
/// 1/b ...]] [2, 2b]. Built once per batch size, dtype and device, and kept outside any tensor scope.
/// </summary>
internal sealed class ScoreWeights : IDisposable
{
    private ScoreWeights(int batch, Tensor difference, Tensor means) => (Batch, Difference, Means) = (batch, difference, means);

    /// <summary>b, the volumes of each half.</summary>
    public int Batch { get; }

    /// <summary>u [1, 2b]: -1/b on the real half, 1/b on the generated one.</summary>
    public Tensor Difference { get; }

    /// <summary>M [2, 2b]: row 0 averages the real half, row 1 the generated one.</summary>
    public Tensor Means { get; }

    /// <summary>The weights for halves of <paramref name="batch"/> scores of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public static ScoreWeights Create(int batch, DType dtype, Device device)
    {
        double w = 1.0 / batch;
        var u = Enumerable.Range(0, 2 * batch).Select(i => i < batch ? -w : w).ToArray();
        var m = Enumerable.Range(0, 4 * batch).Select(i => i / (2 * batch) == i % (2 * batch) / batch ? w : 0).ToArray();
        return new ScoreWeights(batch, Constant(u, new Shape(1, 2 * batch), dtype, device), Constant(m, new Shape(2, 2 * batch), dtype, device));
    }

    /// <summary>Whether these weights serve scores of <paramref name="scores"/>' batch, dtype and device.</summary>
    public bool Fit(Tensor scores) =>
        scores.Shape[0] == 2 * Batch && scores.DType == Means.DType && ReferenceEquals(scores.Device, Means.Device);

    private static Tensor Constant(double[] values, Shape shape, DType dtype, Device device)
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(values, shape, device);
        return (t.DType == dtype ? t : Ops.Cast(t, dtype)).Detach();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Difference.Dispose();
        Means.Dispose();
    }
}
