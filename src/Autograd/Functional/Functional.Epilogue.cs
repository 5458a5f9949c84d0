using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

public static partial class Functional
{
    /// <summary>
    /// LeakyReLU(y + b) for a bias <paramref name="bias"/> [C] added along axis 1 of <paramref name="y"/> [B, C, ...]:
    /// the epilogue of a biased layer and its activation in one launch instead of an add and a map, with the same
    /// values bit for bit. Backward: dz = g where out &gt; 0, slope g elsewhere (for slope &gt;= 0 the output is
    /// positive exactly where y + b is, so no pre-activation is kept), dy = dz, db = dz summed over every axis but 1;
    /// one <see cref="LeakyReluGradient"/> launch serves both.
    /// </summary>
    public static Var BiasLeakyRelu(Var y, Var bias, double slope)
    {
        if (!(slope >= 0)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "bias_leaky_relu: the slope must be non-negative (the mask is read from the output)");
        if (y.Shape.Rank < 2 || bias.Shape.Rank != 1 || bias.Shape[0] != y.Shape[1])
            throw new ShapeException($"bias_leaky_relu: a bias [{(y.Shape.Rank < 2 ? "C" : y.Shape[1])}] along axis 1 of {y.Shape}, got {bias.Shape}");
        var along = Enumerable.Repeat(1, y.Shape.Rank).ToArray();
        along[1] = bias.Shape[0];
        Tensor output;
        using (var b = bias.Data.Reshape(along)) output = Ops.BiasLeakyRelu(y.Data, b, slope);
        Var? result = null;
        result = Var.RecordJoint(output, "bias_leaky_relu", [y, bias], (g, needed) =>
        {
            var dz = LeakyReluGradient(result!.Data, g, slope);
            return [needed[0] ? dz : null, needed[1] ? Reshape(SumTo(dz, new Shape(along)), bias.Shape[0]) : null];
        });
        return result;
    }
}
