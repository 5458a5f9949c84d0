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
            g => SumTo(transposeA ? MatMul(b, g, transposeB, true) : MatMul(g, b, false, !transposeB), a.Shape),
            g => SumTo(transposeB ? MatMul(g, a, true, transposeA) : MatMul(a, g, !transposeA, false), b.Shape));
}
