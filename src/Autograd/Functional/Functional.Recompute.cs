using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    /// <summary>
    /// Mixed-precision storage by recomputation. The forward runs <paramref name="block"/> on the input
    /// in float32 without recording anything and keeps only its output, stored as
    /// <paramref name="storage"/> (float16 in mixed precision): the block's float32 intermediates are
    /// freed at once. The backward rule converts the stored input back to float32, runs the block again
    /// with recording on, and backpropagates through it, once for all of the block's inputs and
    /// parameters. Under <c>createGraph</c> the recomputed graph stays connected to the input and the
    /// parameters, so second derivatives (the gradient penalty) flow through it too.
    /// <paramref name="parameters"/> are the leaves the block uses (its weights); they stay float32.
    /// </summary>
    public static Var Recompute(Func<Var, Var> block, Var x, IReadOnlyList<Var> parameters, DType storage)
    {
        Tensor output;
        using (var scope = TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var y = block(new Var(Compute(x.Data)));
            output = (y.DType == storage ? Ops.Clone(y.Data) : Ops.Cast(y.Data, storage)).MoveToOuter();
        }
        Var[] inputs = [x, .. parameters];
        return Var.RecordJoint(output, "recompute", inputs, (g, needed) =>
        {
            bool createGraph = GradMode.Enabled;
            using var record = GradMode.EnableGrad();
            // With createGraph the float32 input stays connected to x (its cast), so second derivatives
            // reach x; otherwise a fresh leaf keeps the traversal inside the block.
            var input = !createGraph ? new Var(Compute(x.Data), requiresGrad: true)
                : x.DType == DType.Float16 ? Cast(x, DType.Float32) : Alias(x);
            var y = block(input);
            var gy = g.DType == y.DType ? g : Cast(g, y.DType);
            var targets = new List<Var>();
            if (needed[0]) targets.Add(input);
            for (int i = 1; i < inputs.Length; i++) if (needed[i]) targets.Add(inputs[i]);
            var grads = Gradients.Of([y], targets, [gy], createGraph, retainGraph: true);
            var result = new Var?[inputs.Length];
            int k = 0;
            if (needed[0]) result[0] = grads[k].DType == x.DType ? grads[k++] : Cast(grads[k++], x.DType);
            for (int i = 1; i < inputs.Length; i++) if (needed[i]) result[i] = grads[k++];
            return result;
        });
    }

    /// <summary>The tensor in its compute dtype: float16 widened to float32, others copied (so the caller owns the result).</summary>
    private static Tensor Compute(Tensor t) => t.DType == DType.Float16 ? Ops.Cast(t, DType.Float32) : Ops.Clone(t);
}
