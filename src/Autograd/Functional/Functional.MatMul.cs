using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    /// <summary>
    /// op(a) @ op(b) over the last two axes with broadcast batch axes. With C = op(A) op(B):
    /// d op(A) = g op(B)^T and d op(B) = op(A)^T g, transposed back when the operand was stored
    /// transposed; each is one more MatMul with transpose flags, summed over broadcast batch axes.
    /// </summary>
    public static Var MatMul(Var a, Var b, bool transposeA = false, bool transposeB = false) =>
        Var.Record(Ops.MatMul(a.Data, b.Data, transposeA, transposeB), "matmul", [a, b],
            g => MatMulGradA(g, a, b, transposeA, transposeB),
            g => MatMulGradB(g, a, b, transposeA, transposeB));

    /// <summary>
    /// act((x op(w) + residual) + bias) for a product [M, N] in one launch, the bias [N] per column: a dense layer with
    /// its LeakyReLU (<see cref="Conv3dBiasActivation"/> for the matrix product, the same backward).
    /// </summary>
    public static Var MatMulBiasActivation(Var x, Var w, Var? bias, Var? residual = null, double? slope = null, bool transposeB = false) =>
        WithEpilogue(epilogue => Ops.MatMul(x.Data, w.Data, false, transposeB, epilogue), "matmul_bias_activation", x, w, bias, residual, slope,
            dz => MatMulGradA(dz, x, w, false, transposeB),
            dz => MatMulGradB(dz, x, w, false, transposeB));

    private static Var MatMulGradA(Var g, Var a, Var b, bool transposeA, bool transposeB) =>
        SumTo(transposeA ? MatMul(b, g, transposeB, true) : MatMul(g, b, false, !transposeB), a.Shape);

    private static Var MatMulGradB(Var g, Var a, Var b, bool transposeA, bool transposeB) =>
        SumTo(transposeB ? MatMul(g, a, true, transposeA) : MatMul(a, g, !transposeA, false), b.Shape);
}
