namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Converts to <paramref name="dtype"/> (a copy, also when the dtype is already right). To float16:
    /// round to nearest even, magnitudes above 65504 become infinity.
    /// </summary>
    public static Tensor Cast(Tensor x, DType dtype)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        if (x.DType == dtype) return Clone(x);
        var y = Tensor.Empty(x.Shape, dtype, x.Device);
        if (y.Numel > 0) x.Device.Backend.Cast(x, y);
        return y;
    }
}
