using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

/// <summary>A small convolution geometry drawn by FsCheck.</summary>
public sealed record ConvCase(int N, int Cin, int Cout, int D, int H, int W, int K, int S, int P, int Seed)
{
    public int Out(int n) => (n + 2 * P - K) / S + 1;
}

public class ConvTests
{
    private static Device D => TestDevice.Instance;

    public static Gen<ConvCase> Cases =>
        from k in Gen.Elements(1, 3)
        from s in Gen.Choose(1, 2)
        from p in Gen.Choose(0, k == 3 ? 2 : 1)
        from n in Gen.Choose(1, 2)
        from cin in Gen.Choose(1, 3)
        from cout in Gen.Choose(1, 3)
        from d in Gen.Choose(Math.Max(1, k - 2 * p), 5)
        from h in Gen.Choose(Math.Max(1, k - 2 * p), 4)
        from w in Gen.Choose(Math.Max(1, k - 2 * p), 4)
        from seed in Gens.Seed
        select new ConvCase(n, cin, cout, d, h, w, k, s, p, seed);

    private static int Idx(int[] shape, params int[] c)
    {
        int i = 0;
        for (int a = 0; a < shape.Length; a++) i = i * shape[a] + c[a];
        return i;
    }

    /// <summary>Direct definition of the convolution, one output voxel at a time.</summary>
    public static double[] Conv3dReference(double[] x, int[] xs, double[] w, int[] ws, int s, int p, int[] ys)
    {
        var y = new double[HostReference.Numel(ys)];
        for (int n = 0; n < ys[0]; n++) for (int co = 0; co < ys[1]; co++)
        for (int od = 0; od < ys[2]; od++) for (int oh = 0; oh < ys[3]; oh++) for (int ow = 0; ow < ys[4]; ow++)
        {
            double acc = 0;
            for (int ci = 0; ci < xs[1]; ci++)
            for (int kd = 0; kd < ws[2]; kd++) for (int kh = 0; kh < ws[3]; kh++) for (int kw = 0; kw < ws[4]; kw++)
            {
                int id = od * s - p + kd, ih = oh * s - p + kh, iw = ow * s - p + kw;
                if (id < 0 || ih < 0 || iw < 0 || id >= xs[2] || ih >= xs[3] || iw >= xs[4]) continue;
                acc += x[Idx(xs, n, ci, id, ih, iw)] * w[Idx(ws, co, ci, kd, kh, kw)];
            }
            y[Idx(ys, n, co, od, oh, ow)] = acc;
        }
        return y;
    }

    /// <summary>Transposed convolution written as a scatter (each input voxel spreads into the output), unlike the kernel's gather.</summary>
    public static double[] ConvTransposeReference(double[] y, int[] ys, double[] w, int[] ws, int s, int p, int[] xs)
    {
        var x = new double[HostReference.Numel(xs)];
        for (int n = 0; n < ys[0]; n++) for (int ci = 0; ci < ys[1]; ci++)
        for (int od = 0; od < ys[2]; od++) for (int oh = 0; oh < ys[3]; oh++) for (int ow = 0; ow < ys[4]; ow++)
        for (int co = 0; co < ws[1]; co++)
        for (int kd = 0; kd < ws[2]; kd++) for (int kh = 0; kh < ws[3]; kh++) for (int kw = 0; kw < ws[4]; kw++)
        {
            int id = od * s - p + kd, ih = oh * s - p + kh, iw = ow * s - p + kw;
            if (id < 0 || ih < 0 || iw < 0 || id >= xs[2] || ih >= xs[3] || iw >= xs[4]) continue;
            x[Idx(xs, n, co, id, ih, iw)] += y[Idx(ys, n, ci, od, oh, ow)] * w[Idx(ws, ci, co, kd, kh, kw)];
        }
        return x;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();

    [Property(MaxTest = 40)]
    public Property Conv3dMatchesTheDirectDefinition() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        var rng = new Random(c.Seed);
        int[] xs = [c.N, c.Cin, c.D, c.H, c.W], ws = [c.Cout, c.Cin, c.K, c.K, c.K];
        int[] ys = [c.N, c.Cout, c.Out(c.D), c.Out(c.H), c.Out(c.W)];
        var x = HostReference.RandomValues(rng, HostReference.Numel(xs));
        var w = HostReference.RandomValues(rng, HostReference.Numel(ws));
        using var scope = TensorScope.Begin();
        var y = Ops.Conv3d(Tensor.FromArray(x, new Shape(xs), D), Tensor.FromArray(w, new Shape(ws), D), c.S, c.P);
        Assert.Equal(ys, y.Shape.ToArray());
        Approx.Equal(Conv3dReference(x, xs, w, ws, c.S, c.P, ys), y.ToDoubleArray(), 1e-12, 1e-12, c.ToString());
    });

    [Property(MaxTest = 40)]
    public Property ConvTranspose3dMatchesTheScatterDefinition() => Prop.ForAll(
        (from c in Cases from op in Gen.Choose(-2, 1) select (c, op: Math.Min(op, c.S - 1))).ToArbitrary(), t =>
    {
        // Negative output paddings crop the end (TensorFlow's 'same'); pairs whose extents do not fit are refused.
        var (c, op) = t;
        var rng = new Random(c.Seed);
        int[] ys = [c.N, c.Cin, c.D, c.H, c.W], ws = [c.Cin, c.Cout, c.K, c.K, c.K];
        int Up(int n) => (n - 1) * c.S - 2 * c.P + c.K + op;
        if (Up(c.D) < 1 || Up(c.H) < 1 || Up(c.W) < 1) return;
        if (op < 0 && !Fits(new Shape(c.N, c.Cout, Up(c.D), Up(c.H), Up(c.W)), new Shape(ys), c.K, c.S, c.P))
        {
            using var s = TensorScope.Begin();
            Assert.Throws<ShapeException>(() => Ops.ConvTranspose3d(Tensor.Zeros(new Shape(ys), DType.Float64, D), Tensor.Zeros(new Shape(ws), DType.Float64, D), c.S, c.P, op));
            return;
        }
        int[] xs = [c.N, c.Cout, Up(c.D), Up(c.H), Up(c.W)];
        var y = HostReference.RandomValues(rng, HostReference.Numel(ys));
        var w = HostReference.RandomValues(rng, HostReference.Numel(ws));
        using var scope = TensorScope.Begin();
        var x = Ops.ConvTranspose3d(Tensor.FromArray(y, new Shape(ys), D), Tensor.FromArray(w, new Shape(ws), D), c.S, c.P, op);
        Assert.Equal(xs, x.Shape.ToArray());
        Approx.Equal(ConvTransposeReference(y, ys, w, ws, c.S, c.P, xs), x.ToDoubleArray(), 1e-12, 1e-12, c.ToString());
    });

    /// <summary>The rule of <see cref="Shape.CheckConvExtents"/>, written out: PyTorch's extent, or the last window starts inside x and x ends before the next one would.</summary>
    private static bool Fits(Shape x, Shape y, int k, int s, int p) =>
        Enumerable.Range(2, 3).All(a => (x[a] + 2 * p - k >= 0 && y[a] == (x[a] + 2 * p - k) / s + 1)
            || ((y[a] - 1) * s - p <= x[a] - 1 && x[a] <= (y[a] - 1) * s - p + k + s - 1));

    [Property(MaxTest = 40)]
    public Property TheThreeConvolutionOpsAreAdjointAlsoForTensorFlowsSameExtents() => Prop.ForAll(
        (from m in Gen.Choose(1, 3) from k in Gen.Choose(1, 4) from cin in Gen.Choose(1, 3) from cout in Gen.Choose(1, 3) from seed in Gens.Seed select (m, k, cin, cout, seed)).ToArbitrary(), t =>
    {
        // Stride 2 from 2m fine voxels to m coarse ones, padding floor((K - 2) / 2) before (TensorFlow's 'same').
        var (m, k, cin, cout, seed) = t;
        int p = Math.Max(k - 2, 0) / 2;
        var rng = new Random(seed);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(HostReference.RandomValues(rng, cin * 8 * m * m * m), new Shape(1, cin, 2 * m, 2 * m, 2 * m), D);
        var w = Tensor.FromArray(HostReference.RandomValues(rng, cout * cin * k * k * k), new Shape(cout, cin, k, k, k), D);
        var y = Tensor.FromArray(HostReference.RandomValues(rng, cout * m * m * m), new Shape(1, cout, m, m, m), D);
        var conv = Ops.Conv3d(x, w, 2, p, [m, m, m]);
        var back = Ops.ConvTranspose3d(y, w, 2, p, Shape.ConvOutputPadding(x.Shape, y.Shape, k, 2, p));
        var wg = Ops.Conv3dWeightGrad(x, y, k, 2, p);
        Assert.Equal(x.Shape, back.Shape);
        Assert.Equal(y.Shape, conv.Shape);
        double lhs = Dot(conv.ToDoubleArray(), y.ToDoubleArray());
        Assert.Equal(lhs, Dot(x.ToDoubleArray(), back.ToDoubleArray()), 1e-9);
        Assert.Equal(lhs, Dot(w.ToDoubleArray(), wg.ToDoubleArray()), 1e-9);
    });

    [Property(MaxTest = 40)]
    public Property TheThreeConvolutionOpsAreAdjoint() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        // <conv(x, w), y> = <x, convT(y, w)> = <w, weightGrad(x, y)> for all x, w, y.
        var rng = new Random(c.Seed);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(HostReference.RandomValues(rng, c.N * c.Cin * c.D * c.H * c.W), new Shape(c.N, c.Cin, c.D, c.H, c.W), D);
        var w = Tensor.FromArray(HostReference.RandomValues(rng, c.Cout * c.Cin * c.K * c.K * c.K), new Shape(c.Cout, c.Cin, c.K, c.K, c.K), D);
        var yShape = new Shape(c.N, c.Cout, c.Out(c.D), c.Out(c.H), c.Out(c.W));
        var y = Tensor.FromArray(HostReference.RandomValues(rng, yShape.Numel), yShape, D);
        var conv = Ops.Conv3d(x, w, c.S, c.P);
        var back = Ops.ConvTranspose3d(y, w, c.S, c.P, Shape.ConvOutputPadding(x.Shape, yShape, c.K, c.S, c.P));
        var wg = Ops.Conv3dWeightGrad(x, y, c.K, c.S, c.P);
        Assert.Equal(x.Shape, back.Shape);
        double lhs = Dot(conv.ToDoubleArray(), y.ToDoubleArray());
        Assert.Equal(lhs, Dot(x.ToDoubleArray(), back.ToDoubleArray()), 1e-9);
        Assert.Equal(lhs, Dot(w.ToDoubleArray(), wg.ToDoubleArray()), 1e-9);
    });

    [Property(MaxTest = 30)]
    public Property AvgPoolAveragesWindowsAndUpsampleIsItsAdjoint() => Prop.ForAll(
        (from k in Gen.Choose(1, 3) from n in Gen.Choose(1, 2) from ch in Gen.Choose(1, 3)
         from d in Gen.Choose(1, 2) from h in Gen.Choose(1, 2) from w in Gen.Choose(1, 2) from seed in Gens.Seed
         select (k, n, ch, d, h, w, seed)).ToArbitrary(), c =>
    {
        int[] xs = [c.n, c.ch, c.d * c.k, c.h * c.k, c.w * c.k], ys = [c.n, c.ch, c.d, c.h, c.w];
        var rng = new Random(c.seed);
        var x = HostReference.RandomValues(rng, HostReference.Numel(xs));
        var yv = HostReference.RandomValues(rng, HostReference.Numel(ys));
        var expected = new double[HostReference.Numel(ys)];
        for (int i = 0; i < x.Length; i++)
        {
            var co = HostReference.Coordinates(i, xs);
            expected[Idx(ys, co[0], co[1], co[2] / c.k, co[3] / c.k, co[4] / c.k)] += x[i] / (c.k * c.k * c.k);
        }
        using var scope = TensorScope.Begin();
        var tx = Tensor.FromArray(x, new Shape(xs), D);
        var pooled = Ops.AvgPool3d(tx, c.k);
        Approx.Equal(expected, pooled.ToDoubleArray(), 1e-12, 1e-12, "avg pool");
        var up = Ops.Upsample3d(Tensor.FromArray(yv, new Shape(ys), D), c.k, 1.0 / (c.k * c.k * c.k));
        Assert.Equal(Dot(expected, yv), Dot(x, up.ToDoubleArray()), 1e-9);
    });

    [Fact]
    public void Float32ConvolutionAgreesWithFloat64()
    {
        using var scope = TensorScope.Begin();
        var rng = new RandomGenerator(5);
        var x = Ops.Normal(new Shape(2, 3, 6, 6, 6), rng, dtype: DType.Float64, device: D);
        var w = Ops.Normal(new Shape(4, 3, 3, 3, 3), rng, dtype: DType.Float64, device: D);
        var y64 = Ops.Conv3d(x, w, 2, 1).ToDoubleArray();
        var y32 = Ops.Conv3d(Ops.Cast(x, DType.Float32), Ops.Cast(w, DType.Float32), 2, 1).ToDoubleArray();
        Approx.Equal(y64, y32, 1e-4, 1e-5, "float32 conv");
    }

    [Fact]
    public void BadConvolutionArgumentsNameTheShapes()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros(new Shape(1, 2, 4, 4, 4), device: D);
        Assert.Contains("2 channels", Assert.Throws<ShapeException>(() => Ops.Conv3d(x, Tensor.Zeros(new Shape(3, 3, 3, 3, 3), device: D))).Message);
        Assert.Contains("cubic", Assert.Throws<ShapeException>(() => Ops.Conv3d(x, Tensor.Zeros(new Shape(3, 2, 3, 3, 1), device: D))).Message);
        Assert.Contains("[1, 2, 4, 4, 4]", Assert.Throws<ShapeException>(() => Ops.Conv3d(x, Tensor.Zeros(new Shape(3, 2, 7, 7, 7), device: D))).Message);
        Assert.Contains("stride", Assert.Throws<ShapeException>(() => Ops.Conv3d(x, Tensor.Zeros(new Shape(3, 2, 3, 3, 3), device: D), 0)).Message);
        Assert.Contains("output padding", Assert.Throws<ShapeException>(() => Ops.ConvTranspose3d(x, Tensor.Zeros(new Shape(2, 3, 3, 3, 3), device: D), 2, 1, 2)).Message);
        Assert.Contains("not the two sides", Assert.Throws<ShapeException>(() => Ops.Conv3d(x, Tensor.Zeros(new Shape(3, 2, 3, 3, 3), device: D), 2, 0, [4, 2, 2])).Message);
        Assert.Contains("three values", Assert.Throws<ShapeException>(() => Ops.Conv3d(x, Tensor.Zeros(new Shape(3, 2, 3, 3, 3), device: D), 2, 0, [2, 2])).Message);
        Assert.Contains("not the two sides", Assert.Throws<ShapeException>(() => Ops.ConvTranspose3d(x, Tensor.Zeros(new Shape(2, 3, 3, 3, 3), device: D), 2, 0, -3)).Message);
        Assert.Contains("not the two sides", Assert.Throws<ShapeException>(() => Ops.Conv3dWeightGrad(Tensor.Zeros(new Shape(1, 2, 8, 8, 8), device: D), Tensor.Zeros(new Shape(1, 3, 2, 4, 4), device: D), 3, 2, 0)).Message);
        Assert.Contains("different batch sizes", Assert.Throws<ShapeException>(() => Ops.Conv3dWeightGrad(Tensor.Zeros(new Shape(2, 2, 8, 8, 8), device: D), Tensor.Zeros(new Shape(3, 3, 4, 4, 4), device: D), 3, 2, 1)).Message);
        Assert.Contains("must be positive", Assert.Throws<ShapeException>(() => Ops.Conv3dWeightGrad(Tensor.Zeros(new Shape(1, 2, 8, 8, 8), device: D), Tensor.Zeros(new Shape(1, 3, 4, 4, 4), device: D), 0, 2, 1)).Message);
        Assert.Contains("multiple", Assert.Throws<ShapeException>(() => Ops.AvgPool3d(Tensor.Zeros(new Shape(1, 1, 5, 4, 4), device: D), 2)).Message);
        Assert.Contains("[N, C, D, H, W]", Assert.Throws<ShapeException>(() => Ops.AvgPool3d(Tensor.Zeros(new Shape(4, 4), device: D), 2)).Message);
    }
}
