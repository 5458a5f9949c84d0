namespace VoxelGan.Tensors;

/// <summary>
/// A layer's epilogue, applied by its convolution or matrix product before the output is stored
/// (<see cref="Ops.Conv3d(Tensor, Tensor, int, int, int[], LayerEpilogue)"/>, <see cref="Ops.ConvTranspose3d(Tensor, Tensor, int, int, int[], LayerEpilogue)"/>,
/// <see cref="Ops.MatMul(Tensor, Tensor, bool, bool, LayerEpilogue)"/>): <c>y = act((f(x, w) + Residual) + Bias)</c>, the bias [C]
/// broadcast along axis 1 (the channels of [N, C, ...], the columns of a product [M, C]), act = LeakyReLU with
/// <see cref="Slope"/> when one is given, else the identity. <c>default</c> is the plain op.
/// </summary>
/// <param name="Bias">[C] per output channel, or null.</param>
/// <param name="Residual">A tensor of the output's shape added before the bias (a residual block's skip path), or null.</param>
/// <param name="Slope">LeakyReLU's negative slope (at least 0: backward reads the mask from the output), or null for no activation.</param>
public readonly record struct LayerEpilogue(Tensor? Bias = null, Tensor? Residual = null, double? Slope = null)
{
    /// <summary>Whether the epilogue changes anything.</summary>
    public bool IsIdentity => Bias is null && Residual is null && Slope is null;
}
