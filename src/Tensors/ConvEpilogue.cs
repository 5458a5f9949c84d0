namespace VoxelGan.Tensors;

/// <summary>
/// A convolution's epilogue, applied before its output is stored (<see cref="Ops.Conv3d(Tensor, Tensor, int, int, int[], ConvEpilogue)"/>):
/// <c>y = act((conv(x, w) + Residual) + Bias)</c>, the bias [C] broadcast along the channels, act = LeakyReLU with
/// <see cref="Slope"/> when one is given, else the identity. <c>default</c> is the plain convolution.
/// </summary>
/// <param name="Bias">[C] per output channel, or null.</param>
/// <param name="Residual">A tensor of the output's shape added before the bias (a residual block's skip path), or null.</param>
/// <param name="Slope">LeakyReLU's negative slope (at least 0: backward reads the mask from the output), or null for no activation.</param>
public readonly record struct ConvEpilogue(Tensor? Bias = null, Tensor? Residual = null, double? Slope = null)
{
    /// <summary>Whether the epilogue changes anything.</summary>
    public bool IsIdentity => Bias is null && Residual is null && Slope is null;
}
