using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Autograd.Tests;

/// <summary>What FsCheck draws for one case: two broadcast-compatible shapes, a small integer for choices, a value seed.</summary>
public sealed record CaseInput(int[] A, int[] B, int Pick, int Seed);

/// <summary>One differentiable op: how to build inputs from a case and the function to check.</summary>
/// <param name="SecondOrder">On the critic's path (the gradient penalty differentiates through it), so checked to second order.</param>
public sealed record DiffOp(string Name, bool SecondOrder, Func<CaseInput, (Tensor[] Inputs, Func<Var[], Var> F)> Make)
{
    public override string ToString() => Name;
}

public static class OpTable
{
    private static Device D => TestDevice.Instance;

    /// <summary>Values in [low, high] with a random sign when <paramref name="signed"/>; magnitudes at least low keep inputs away from kinks and poles.</summary>
    public static Tensor Values(Random rng, int[] shape, double low = 0.2, double high = 1.5, bool signed = true)
    {
        var v = Enumerable.Range(0, HostReference.Numel(shape))
            .Select(_ => (signed && rng.Next(2) == 0 ? -1 : 1) * (low + (high - low) * rng.NextDouble())).ToArray();
        return Tensor.FromArray(v, new Shape(shape), D);
    }

    private static DiffOp Unary(string name, bool second, Func<Var, Var> f, double low = 0.2, double high = 1.5, bool signed = true) =>
        new(name, second, c => ([Values(new Random(c.Seed), c.A, low, high, signed)], xs => f(xs[0])));

    private static DiffOp Binary(string name, bool second, Func<Var, Var, Var> f, bool positiveA = false, bool positiveB = false) =>
        new(name, second, c =>
        {
            var rng = new Random(c.Seed);
            return ([Values(rng, c.A, signed: !positiveA), Values(rng, c.B, signed: !positiveB)], xs => f(xs[0], xs[1]));
        });

    private static int Axis(CaseInput c) => c.A.Length == 0 ? 0 : c.Pick % c.A.Length - (c.Pick % 2 == 0 ? 0 : c.A.Length);

    private static int[] NonScalar(int[] s) => s.Length == 0 ? [3] : s;

    public static readonly DiffOp[] All =
    [
        Binary("add", true, (a, b) => a + b),
        Binary("sub", true, (a, b) => a - b),
        Binary("mul", true, (a, b) => a * b),
        Binary("div", true, (a, b) => a / b),
        Binary("pow", true, Pow, positiveA: true),
        Binary("maximum", false, Maximum),
        Binary("minimum", false, Minimum),
        Unary("neg", true, Neg),
        Unary("exp", true, Exp),
        Unary("log", true, Log, signed: false),
        Unary("sqrt", true, Sqrt, 0.5, 2, signed: false),
        Unary("tanh", true, Tanh),
        Unary("sigmoid", true, Sigmoid),
        Unary("square", true, Square),
        Unary("reciprocal", true, Reciprocal),
        Unary("abs", false, Abs),
        Unary("leaky_relu_0.2", true, x => LeakyRelu(x, 0.2)),
        Unary("leaky_relu_0.3", true, x => LeakyRelu(x, 0.3)),
        new("leaky_relu_gradient", true, c =>
        {
            // The mask's input is a constant of the op; only the carried gradient is differentiated.
            var rng = new Random(c.Seed);
            var x = Values(rng, c.A);
            return ([Values(rng, c.A)], gs => LeakyReluGradient(x, gs[0], 0.3));
        }),
        new("bias_leaky_relu", true, c =>
        {
            // y [B, C, ...] and a bias [C] small enough that y + b stays away from the kink.
            int[] y = c.A.Length >= 2 ? c.A : [2, 1 + c.Pick % 3, .. c.A];
            var rng = new Random(c.Seed);
            return ([Values(rng, y), Values(rng, [y[1]], 0.01, 0.05)], xs => BiasLeakyRelu(xs[0], xs[1], 0.2));
        }),
        Unary("add_scalar", true, x => x + 0.7),
        Unary("mul_scalar", true, x => x * -1.3),
        Unary("pow_scalar", true, x => PowScalar(x, 2.5), 0.5, 2, signed: false),
        Unary("rdiv_scalar", true, x => 2.0 / x),
        Unary("clamp_min", false, x => ClampMin(x, 0.05)),
        Unary("clamp_max", false, x => ClampMax(x, 0.05)),
        Unary("sum", true, Sum),
        Unary("mean", true, Mean),
        new("sum_axis", true, c =>
        {
            var s = NonScalar(c.A);
            return ([Values(new Random(c.Seed), s)], xs => Sum(xs[0], c.Pick % s.Length, keepDim: c.Pick % 2 == 0));
        }),
        new("mean_axis", true, c =>
        {
            var s = NonScalar(c.A);
            return ([Values(new Random(c.Seed), s)], xs => Mean(xs[0], -1 - c.Pick % s.Length, keepDim: c.Pick % 2 == 1));
        }),
        Unary("max", false, Max),
        Unary("min", false, Min),
        new("max_axis", false, c =>
        {
            var s = NonScalar(c.A);
            return ([Values(new Random(c.Seed), s)], xs => Max(xs[0], c.Pick % s.Length, keepDim: c.Pick % 2 == 0));
        }),
        new("matmul", true, c =>
        {
            // Batch axes from the broadcast pair (at most two), matrix sizes and transposes from Pick.
            int m = 1 + c.Pick % 3, n = 1 + c.Pick / 3 % 3, k = 1 + c.Pick / 9 % 3;
            bool ta = c.Pick / 27 % 2 == 1, tb = c.Pick / 54 % 2 == 1;
            int[] ba = c.A.Take(2).ToArray(), bb = c.B.Take(2).ToArray();
            if (HostReference.BroadcastShape(ba, bb) is null) bb = [];
            var rng = new Random(c.Seed);
            var a = Values(rng, [.. ba, .. ta ? new[] { k, m } : new[] { m, k }]);
            var b = Values(rng, [.. bb, .. tb ? new[] { n, k } : new[] { k, n }]);
            return ([a, b], xs => MatMul(xs[0], xs[1], ta, tb));
        }),
        new("matmul_bias_activation", true, c =>
        {
            // A dense layer x w^T with the epilogue's four forms by Pick / 9 % 4; with LeakyReLU the residual (|r| >= 3)
            // keeps the sum away from the kink (at most 3 products of at most 0.0225).
            int m = 1 + c.Pick % 3, n = 1 + c.Pick / 3 % 3, k = 1 + c.Pick / 27 % 3, form = c.Pick / 9 % 4;
            var (bias, residual, slope) = form switch { 0 => (true, true, 0.2), 1 => (true, false, (double?)null), 2 => (false, true, 0.3), _ => (false, false, null) };
            var rng = new Random(c.Seed);
            var inputs = new List<Tensor> { Values(rng, [m, k], 0.02, 0.15), Values(rng, [n, k], 0.02, 0.15) };
            if (bias) inputs.Add(Values(rng, [n], 0.01, 0.05));
            if (residual) inputs.Add(Values(rng, [m, n], 3, 4));
            return ([.. inputs], xs => MatMulBiasActivation(xs[0], xs[1], bias ? xs[2] : null, residual ? xs[^1] : null, slope, transposeB: true));
        }),
        new("reshape", true, c => ([Values(new Random(c.Seed), c.A)], xs => Reshape(xs[0], -1))),
        new("permute", true, c =>
        {
            var perm = Enumerable.Range(0, c.A.Length).OrderBy(i => (i * 7 + c.Pick) % (c.A.Length + 1)).ToArray();
            return ([Values(new Random(c.Seed), c.A)], xs => Permute(xs[0], perm));
        }),
        new("transpose", true, c =>
        {
            var s = c.A.Length < 2 ? [2, 3] : c.A;
            return ([Values(new Random(c.Seed), s)], xs => Transpose(xs[0]));
        }),
        new("slice", true, c =>
        {
            var s = NonScalar(c.A);
            int axis = c.Pick % s.Length, start = c.Pick % s[axis], length = s[axis] - start;
            return ([Values(new Random(c.Seed), s)], xs => Slice(xs[0], axis, start, length));
        }),
        new("concat", true, c =>
        {
            var s = NonScalar(c.A);
            int axis = c.Pick % s.Length;
            var other = s.Select((d, i) => i == axis ? 1 + c.Pick % 2 : d).ToArray();
            var rng = new Random(c.Seed);
            return ([Values(rng, s), Values(rng, other)], xs => Concat([xs[0], xs[1], xs[0]], axis));
        }),
        new("pad", true, c =>
        {
            var s = NonScalar(c.A);
            var before = s.Select((_, i) => (c.Pick + i) % 2).ToArray();
            var after = s.Select((_, i) => (c.Pick / 2 + i) % 3 == 0 ? 1 : 0).ToArray();
            return ([Values(new Random(c.Seed), s)], xs => Pad(xs[0], before, after, 0.5));
        }),
        new("broadcast_to", true, c =>
        {
            var full = HostReference.BroadcastShape(c.A, c.B)!;
            return ([Values(new Random(c.Seed), c.A)], xs => BroadcastTo(xs[0], new Shape(full)));
        }),
        new("sum_to", true, c =>
        {
            var full = HostReference.BroadcastShape(c.A, c.B)!;
            return ([Values(new Random(c.Seed), full)], xs => SumTo(xs[0], new Shape(c.A)));
        }),
        new("conv3d", true, c =>
        {
            var (k, stride, pad, n) = ConvGeometry(c);
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2;
            var rng = new Random(c.Seed);
            return ([Values(rng, [1, cin, n, n + 1, n]), Values(rng, [cout, cin, k, k, k])], xs => Conv3d(xs[0], xs[1], stride, pad));
        }),
        new("conv3d_bias_activation", true, c =>
        {
            // The epilogue's four forms by Pick / 48 % 4. With LeakyReLU the residual (|r| >= 3) keeps the sum away from
            // the kink: small x and w (|x w| <= 0.0225 over at most 54 products) and a small bias move it by under 1.3.
            var (k, stride, pad, n) = ConvGeometry(c);
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2, form = c.Pick / 48 % 4;
            var (bias, residual, slope) = form switch { 0 => (true, true, 0.2), 1 => (true, false, (double?)null), 2 => (false, true, 0.3), _ => (false, false, null) };
            var rng = new Random(c.Seed);
            var xShape = new Shape(1, cin, n, n + 1, n);
            var yShape = Shape.Conv3d(xShape, new Shape(cout, cin, k, k, k), stride, pad);
            var inputs = new List<Tensor> { Values(rng, xShape.ToArray(), 0.02, 0.15), Values(rng, [cout, cin, k, k, k], 0.02, 0.15) };
            if (bias) inputs.Add(Values(rng, [cout], 0.01, 0.05));
            if (residual) inputs.Add(Values(rng, yShape.ToArray(), 3, 4));
            return ([.. inputs], xs => Conv3dBiasActivation(xs[0], xs[1], bias ? xs[2] : null, residual ? xs[^1] : null, slope, stride, pad));
        }),
        new("conv_transpose3d_bias_activation", true, c =>
        {
            // As conv3d_bias_activation, for the transposed convolution (at most 2 x 27 products, |r| >= 3 with LeakyReLU).
            var (k, stride, pad, n) = ConvGeometry(c);
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2, outputPadding = c.Pick / 4 % stride, form = c.Pick / 48 % 4;
            var (bias, residual, slope) = form switch { 0 => (true, true, 0.2), 1 => (true, false, (double?)null), 2 => (false, true, 0.3), _ => (false, false, null) };
            int size = Math.Max(2, n - 1);
            while ((size - 1) * stride - 2 * pad + k + outputPadding < 1) size++;
            var rng = new Random(c.Seed);
            var yShape = new Shape(1, cin, size, size, size);
            int[] op = [outputPadding, outputPadding, outputPadding];
            var xShape = Shape.ConvTranspose3d(yShape, new Shape(cin, cout, k, k, k), stride, pad, op);
            var inputs = new List<Tensor> { Values(rng, yShape.ToArray(), 0.02, 0.15), Values(rng, [cin, cout, k, k, k], 0.02, 0.15) };
            if (bias) inputs.Add(Values(rng, [cout], 0.01, 0.05));
            if (residual) inputs.Add(Values(rng, xShape.ToArray(), 3, 4));
            return ([.. inputs], xs => ConvTranspose3dBiasActivation(xs[0], xs[1], bias ? xs[2] : null, residual ? xs[^1] : null, slope, stride, pad, op));
        }),
        new("conv_transpose3d", true, c =>
        {
            var (k, stride, pad, n) = ConvGeometry(c);
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2, outputPadding = c.Pick / 4 % stride;
            var rng = new Random(c.Seed);
            int size = Math.Max(2, n - 1);
            while ((size - 1) * stride - 2 * pad + k + outputPadding < 1) size++;
            return ([Values(rng, [1, cin, size, size, size]), Values(rng, [cin, cout, k, k, k])],
                xs => ConvTranspose3d(xs[0], xs[1], stride, pad, outputPadding));
        }),
        new("conv3d_weight_grad", true, c =>
        {
            var (k, stride, pad, n) = ConvGeometry(c);
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2;
            var xs0 = new Shape(1, cin, n, n, n + 1);
            var ys = Shape.Conv3d(xs0, new Shape(cout, cin, k, k, k), stride, pad);
            var rng = new Random(c.Seed);
            return ([Values(rng, xs0.ToArray()), Values(rng, ys.ToArray())], xs => Conv3dWeightGrad(xs[0], xs[1], k, stride, pad));
        }),
        // TensorFlow's 'same' at stride 2 (kernel 3 or 2): not PyTorch-sized, so each rule passes explicit extents.
        new("conv_transpose3d_tf_same", true, c =>
        {
            var (k, cin, cout, m) = TfSame(c);
            var rng = new Random(c.Seed);
            return ([Values(rng, [1, cin, m, m + 1, m]), Values(rng, [cin, cout, k, k, k])],
                xs => ConvTranspose3d(xs[0], xs[1], 2, 0, [2 - k, 2 - k, 2 - k]));
        }),
        new("conv3d_tf_same", true, c =>
        {
            var (k, cin, cout, m) = TfSame(c);
            var rng = new Random(c.Seed);
            return ([Values(rng, [1, cin, 2 * m, 2 * m + 2, 2 * m]), Values(rng, [cout, cin, k, k, k])],
                xs => Conv3d(xs[0], xs[1], 2, 0, [m, m + 1, m]));
        }),
        new("conv3d_weight_grad_tf_same", true, c =>
        {
            var (k, cin, cout, m) = TfSame(c);
            var rng = new Random(c.Seed);
            return ([Values(rng, [1, cin, 2 * m, 2 * m, 2 * m + 2]), Values(rng, [1, cout, m, m, m + 1])],
                xs => Conv3dWeightGrad(xs[0], xs[1], k, 2, 0));
        }),
        // The generator's resize-convolution (not on the critic's path, so first order).
        new("conv3d_weight_and_bias_grad", true, c =>
        {
            // Both gradients of one launch, joined into one vector so that one check covers the two recorded ops.
            var (k, stride, pad, n) = ConvGeometry(c);
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2, batch = 1 + c.Pick / 48 % 2;
            var xs0 = new Shape(batch, cin, n, n, n + 1);
            var ys = Shape.Conv3d(xs0, new Shape(cout, cin, k, k, k), stride, pad);
            var rng = new Random(c.Seed);
            return ([Values(rng, xs0.ToArray()), Values(rng, ys.ToArray())], xs =>
            {
                var (w, b) = Conv3dWeightAndBiasGrad(xs[0], xs[1], k, stride, pad);
                return Concat([Reshape(w, -1), b], 0);
            });
        }),
        new("upsample_conv3d", false, c =>
        {
            int cin = 1 + c.Pick % 2, cout = 1 + c.Pick / 2 % 2, n = 1 + c.Pick / 4 % 3;
            var rng = new Random(c.Seed);
            return ([Values(rng, [1, cin, n, n + 1, n]), Values(rng, [cout, cin, 3, 3, 3])], xs => UpsampleConv3d(xs[0], xs[1]));
        }),
        new("avg_pool3d", true, c =>
        {
            int k = 1 + c.Pick % 2;
            return ([Values(new Random(c.Seed), [1, 1 + c.Pick / 2 % 2, 2 * k, k, 2 * k])], xs => AvgPool3d(xs[0], k, c.Pick / 4 % 2 == 0 ? 1 : -2.5));
        }),
        new("upsample3d", true, c =>
        {
            int k = 1 + c.Pick % 2;
            return ([Values(new Random(c.Seed), [1, 1 + c.Pick / 2 % 2, 2, 1, 2])], xs => Upsample3d(xs[0], k, c.Pick / 4 % 2 == 0 ? 1.0 / (k * k * k) : 1.7));
        }),
        new("recompute", true, c =>
        {
            // A block with a parameter, recomputed in backward; float64 storage so finite differences apply.
            var rng = new Random(c.Seed);
            return ([Values(rng, [2, 3]), Values(rng, [3, 2]), Values(rng, [2])],
                xs => Recompute(v => LeakyRelu(Tanh(MatMul(v, xs[1])) + xs[2], 0.2) * v.Shape[1], xs[0], [xs[1], xs[2]], DType.Float64));
        }),
    ];

    /// <summary>Kernel 1 or 3, stride 1 or 2, padding 0..K/2+1, spatial edge 2..4, drawn from the case's Pick.</summary>
    private static (int K, int Stride, int Pad, int N) ConvGeometry(CaseInput c)
    {
        int k = c.Pick % 3 == 0 ? 1 : 3;
        int stride = 1 + c.Pick / 3 % 2;
        int pad = c.Pick / 6 % (k / 2 + 2);
        int n = Math.Max(2, k - 2 * pad) + c.Pick / 24 % 2;
        return (k, stride, pad, n);
    }

    /// <summary>Kernel 3 or 2, channels 1..2, coarse edge 1..3 for TensorFlow's 'same' at stride 2 (fine edge 2m).</summary>
    private static (int K, int Cin, int Cout, int M) TfSame(CaseInput c) =>
        (c.Pick % 2 == 0 ? 3 : 2, 1 + c.Pick / 2 % 2, 1 + c.Pick / 4 % 2, 1 + c.Pick / 8 % 3);

    public static IEnumerable<object[]> Names => All.Select(o => new object[] { o.Name });

    public static DiffOp Named(string name) => All.Single(o => o.Name == name);
}
