using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

internal sealed partial class HostBackend
{
    public void MatMul(Tensor a, Tensor b, Tensor c, MatMulLayout layout) => throw new NotImplementedException();
    public void Conv3d(Tensor x, Tensor w, Tensor y, ConvGeometry g) => throw new NotImplementedException();
    public void ConvTranspose3d(Tensor y, Tensor w, Tensor x, ConvGeometry g) => throw new NotImplementedException();
    public void Conv3dWeightGrad(Tensor x, Tensor y, Tensor w, ConvGeometry g) => throw new NotImplementedException();
    public void Fft(Tensor x, Tensor y, FftLines lines, int sign) => throw new NotImplementedException();
}
