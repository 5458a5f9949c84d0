using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    // Nearest upsampling by 2 followed by a kernel-3 'same' convolution is a kernel-4, stride-2, padding-1 transposed
    // convolution (the sub-pixel identity). Per axis, with u[j] = x[j / 2] and y[o] = w0 u[o-1] + w1 u[o] + w2 u[o+1]:
    //   y[2i]   = w0 x[i-1] + (w1 + w2) x[i]
    //   y[2i+1] = (w0 + w1) x[i] + w2 x[i+1]
    // and a transposed convolution at stride 2, padding 1 puts x[i] at y[2i + a - 1], so its kernel is
    //   W'[a] = (w2, w1 + w2, w0 + w1, w0)[a] = sum_k M[a, k] w[k],  M = [[0,0,1], [0,1,1], [1,1,0], [1,0,0]].
    // Each output voxel then sums 2^3 taps instead of 3^3, over the coarse grid instead of the upsampled one.

    /// <summary>
    /// Conv3d(Upsample3d(x, 2), w, padding 1) for x [N, Cin, D, H, W] and w [Cout, Cin, 3, 3, 3], computed as
    /// ConvTranspose3d(x, W', stride 2, padding 1) with the folded kernel W' [Cin, Cout, 4, 4, 4],
    /// W'[ci, co, a, b, c] = sum_{k,l,m} M[a, k] M[b, l] M[c, m] w[co, ci, k, l, m] (see the identity above). The same function
    /// as the composition (equal up to rounding), at 8/27 of its multiply-adds per output and without the upsampled input.
    /// Differentiable to any order: the fold is a MatMul with a constant, the rest a transposed convolution. A bias,
    /// a residual and a LeakyReLU, where given, join the transposed convolution's launch (<see cref="ConvTranspose3dBiasActivation"/>).
    /// </summary>
    public static Var UpsampleConv3d(Var x, Var w, Var? bias = null, Var? residual = null, double? slope = null)
    {
        if (w.Shape.Rank != 5 || w.Shape[2] != 3 || w.Shape[3] != 3 || w.Shape[4] != 3)
            throw new ShapeException($"UpsampleConv3d: expected a kernel [Cout, Cin, 3, 3, 3], got {w.Shape}");
        int cout = w.Shape[0], cin = w.Shape[1];
        var swapped = Reshape(Permute(w, 1, 0, 2, 3, 4), cin * cout, 27);
        var folded = Reshape(MatMul(swapped, new Var(UpsampleFold(w.Device, w.DType))), cin, cout, 4, 4, 4);
        return bias is null && residual is null && slope is null
            ? ConvTranspose3d(x, folded, 2, 1, 0)
            : ConvTranspose3dBiasActivation(x, folded, bias, residual, slope, 2, 1, [0, 0, 0]);
    }

    // One fold matrix per device and dtype, made once (Lazy: two threads asking at once share one) and kept for the
    // device's life: uploading it on every forward would cost a host round trip per layer.
    private static readonly ConditionalWeakTable<Device, ConcurrentDictionary<DType, Lazy<Tensor>>> Folds = new();

    /// <summary>The fold as a matrix T [27, 64]: T[(k, l, m), (a, b, c)] = M[a, k] M[b, l] M[c, m].</summary>
    private static Tensor UpsampleFold(Device device, DType dtype) =>
        Folds.GetOrCreateValue(device).GetOrAdd(dtype, _ => new Lazy<Tensor>(() =>
        {
            int[,] m = { { 0, 0, 1 }, { 0, 1, 1 }, { 1, 1, 0 }, { 1, 0, 0 } };
            var t = new double[27 * 64];
            for (int k = 0; k < 27; k++)
            for (int a = 0; a < 64; a++)
                t[k * 64 + a] = m[a / 16, k / 9] * m[a / 4 % 4, k / 3 % 3] * m[a % 4, k % 3];
            using var scope = TensorScope.Begin();
            return Ops.Cast(Tensor.FromArray(t, new Shape(27, 64), device), dtype).Detach();
        })).Value;
}
