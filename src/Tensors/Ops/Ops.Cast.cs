using VoxelGan.Tensors.Kernels;

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
        switch ((x.DType, dtype))
        {
            case (DType.Float32, DType.Float64): CastKernels.Run<float, double, SingleToDouble>(x, y); break;
            case (DType.Float64, DType.Float32): CastKernels.Run<double, float, DoubleToSingle>(x, y); break;
            case (DType.Float32, DType.Float16): CastKernels.Run<float, ILGPU.Half, SingleToHalf>(x, y); break;
            case (DType.Float16, DType.Float32): CastKernels.Run<ILGPU.Half, float, HalfToSingle>(x, y); break;
            case (DType.Float64, DType.Float16): CastKernels.Run<double, ILGPU.Half, DoubleToHalf>(x, y); break;
            case (DType.Float16, DType.Float64): CastKernels.Run<ILGPU.Half, double, HalfToDouble>(x, y); break;
        }
        return y;
    }
}
