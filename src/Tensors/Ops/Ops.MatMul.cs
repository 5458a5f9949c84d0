using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Batched matrix product over the last two axes: op(a) @ op(b), op = transpose when asked.
    /// Leading (batch) axes broadcast as in NumPy's <c>matmul</c>. A product [M, N] (no batch axes) may pass through
    /// <paramref name="epilogue"/> in the same launch (a dense layer's bias per column, and its LeakyReLU).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false, LayerEpilogue epilogue = default)
    {
        RequireCompatible(a, b, nameof(MatMul));
        var shape = Shape.MatMul(a.Shape, b.Shape, transposeA, transposeB);
        if (!epilogue.IsIdentity && shape.Rank != 2)
            throw new ShapeException($"{nameof(MatMul)}: an epilogue needs a product [M, N] (its bias is per column), got {shape}");
        CheckEpilogue(epilogue, shape, a, nameof(MatMul));
        var batchShape = new Shape(shape.ToArray()[..^2]);
        int m = shape[-2], n = shape[-1], k = transposeA ? a.Shape[-2] : a.Shape[-1];
        using var scope = TensorScope.Begin();
        var (av, batchA) = BatchOperand(a, batchShape);
        var (bv, batchB) = BatchOperand(b, batchShape);
        var layout = new MatMulLayout
        {
            Batch = batchShape.Numel, M = m, N = n, K = k,
            BatchA = batchA, RowA = transposeA ? 1 : k, ColA = transposeA ? m : 1,
            BatchB = batchB, RowB = transposeB ? 1 : n, ColB = transposeB ? k : 1,
        };
        var c = Tensor.Empty(shape, a.DType, a.Device).MoveToOuter();
        if (c.Numel > 0) a.Device.Backend.MatMul(av, bv, c, layout, epilogue);
        return c;
    }

    /// <summary>The operand as matrices of the output batch: shared (stride 0), as is, or expanded by a copy.</summary>
    private static (Tensor View, int BatchStride) BatchOperand(Tensor x, Shape batchShape)
    {
        int matrix = x.Shape[-1] * x.Shape[-2];
        int ownBatch = x.Numel / Math.Max(matrix, 1);
        if (ownBatch == 1) return (x, 0);
        var own = new Shape(x.Shape.ToArray()[..^2]);
        if (own.Numel == batchShape.Numel) return (x, matrix);
        var expanded = BroadcastTo(x, new Shape([.. batchShape, x.Shape[-2], x.Shape[-1]]));
        return (expanded, matrix);
    }
}
