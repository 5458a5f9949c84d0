namespace VoxelGan.Tensors;

/// <summary>
/// Differentiable-free tensor operations on the device. Each validates its operands on the host
/// (shapes through <see cref="Shape"/>, dtypes and devices here), allocates its result and launches
/// one kernel family. Results are new tensors owned by the caller (or the current
/// <see cref="TensorScope"/>); inputs are never disposed.
/// </summary>
public static partial class Ops
{
    private static void RequireCompute(Tensor x, string op)
    {
        ObjectDisposedException.ThrowIf(x.IsDisposed, x);
        if (x.DType == DType.Float16)
            throw new NotSupportedException($"{op}: {x} is float16, which is a storage type; Cast it to float32 first");
    }

    private static void RequireCompatible(Tensor a, Tensor b, string op)
    {
        RequireCompute(a, op);
        RequireCompute(b, op);
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: dtypes differ: {a} and {b}");
        if (!ReferenceEquals(a.Device, b.Device))
            throw new ArgumentException($"{op}: operands live on different devices: {a} and {b}");
    }
}
