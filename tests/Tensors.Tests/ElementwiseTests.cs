using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

public class ElementwiseTests
{
    private static Device D => TestDevice.Instance;

    public static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> Ref)[] BinaryOps =
    [
        ("add", Ops.Add, (a, b) => a + b),
        ("sub", Ops.Sub, (a, b) => a - b),
        ("mul", Ops.Mul, (a, b) => a * b),
        ("div", Ops.Div, (a, b) => a / b),
        ("maximum", Ops.Maximum, Math.Max),
        ("minimum", Ops.Minimum, Math.Min),
        ("greater", Ops.Greater, (a, b) => a > b ? 1 : 0),
        ("equal", Ops.Equal, (a, b) => a == b ? 1 : 0),
        ("pow", Ops.Pow, Math.Pow),
        ("leaky_relu_gradient", (a, b) => Ops.LeakyReluGradient(a, b, 0.3), (a, b) => a > 0 ? b : 0.3 * b),
        ("bias_leaky_relu", (a, b) => Ops.BiasLeakyRelu(a, b, 0.2), (a, b) => a + b > 0 ? a + b : 0.2 * (a + b)),
        ("lerp", (a, b) => Ops.Lerp(a, b, 0.25), (a, b) => a + 0.25 * (b - a)),
    ];

    /// <summary>(name, op, reference, domain low) for unary ops; low &gt; 0 keeps log/sqrt/pow in their domain.</summary>
    public static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Ref, double Low)[] UnaryOps =
    [
        ("neg", Ops.Neg, x => -x, -2),
        ("exp", Ops.Exp, Math.Exp, -2),
        ("log", Ops.Log, Math.Log, 0.1),
        ("sqrt", Ops.Sqrt, Math.Sqrt, 0.1),
        ("tanh", Ops.Tanh, Math.Tanh, -2),
        ("abs", Ops.Abs, Math.Abs, -2),
        ("sign", Ops.Sign, x => Math.Sign(x), -2),
        ("square", Ops.Square, x => x * x, -2),
        ("reciprocal", Ops.Reciprocal, x => 1 / x, 0.1),
        ("sigmoid", Ops.Sigmoid, x => 1 / (1 + Math.Exp(-x)), -2),
        ("leaky_relu", x => Ops.LeakyRelu(x, 0.2), x => x > 0 ? x : 0.2 * x, -2),
        ("add_scalar", x => Ops.AddScalar(x, 1.5), x => x + 1.5, -2),
        ("mul_scalar", x => Ops.MulScalar(x, -0.5), x => x * -0.5, -2),
        ("pow_scalar", x => Ops.PowScalar(x, 1.7), x => Math.Pow(x, 1.7), 0.1),
        ("rdiv_scalar", x => Ops.RDivScalar(3, x), x => 3 / x, 0.1),
        ("clamp_min", x => Ops.ClampMin(x, 0.25), x => Math.Max(x, 0.25), -2),
        ("clamp_max", x => Ops.ClampMax(x, 0.25), x => Math.Min(x, 0.25), -2),
        ("greater_than", x => Ops.GreaterThan(x, 0.5), x => x > 0.5 ? 1 : 0, -2),
    ];

    private static Gen<DType> ComputeType => Gen.Elements(DType.Float32, DType.Float64);

    [Property(MaxTest = 60)]
    public Property BinaryOpsBroadcastLikeNumPy() => Prop.ForAll(
        (from shapes in Gens.BroadcastPair(allowEmpty: true)
         from op in Gen.Choose(0, BinaryOps.Length - 1)
         from dtype in ComputeType
         from seed in Gens.Seed
         select (shapes.A, shapes.B, op, dtype, seed)).ToArbitrary(),
        c =>
        {
            var (name, op, reference) = BinaryOps[c.op];
            var rng = new Random(c.seed);
            bool positiveBase = name == "pow";
            var a = HostReference.RandomValues(rng, HostReference.Numel(c.A), positiveBase ? 0.1 : -2, 2);
            var b = HostReference.RandomValues(rng, HostReference.Numel(c.B));
            if (name == "equal") b = b.Select((v, i) => i % 2 == 0 && a.Length > 0 ? a[i % a.Length] : v).ToArray();
            using var scope = TensorScope.Begin();
            var ta = Make(a, c.A, c.dtype);
            var tb = Make(b, c.B, c.dtype);
            var result = op(ta, tb);
            var expectedShape = HostReference.BroadcastShape(c.A, c.B)!;
            Assert.Equal(expectedShape, result.Shape.ToArray());
            var expected = HostReference.Binary(RoundTo(a, c.dtype), c.A, RoundTo(b, c.dtype), c.B, reference);
            var (rtol, atol) = Approx.For(c.dtype, 10);
            Approx.Equal(expected, result.ToDoubleArray(), rtol, atol, $"{name} {ta.Shape} {tb.Shape} {c.dtype}");
        });

    [Property(MaxTest = 60)]
    public Property UnaryOpsMatchMath() => Prop.ForAll(
        (from shape in Gens.Shape(allowEmpty: true)
         from op in Gen.Choose(0, UnaryOps.Length - 1)
         from dtype in ComputeType
         from seed in Gens.Seed
         select (shape, op, dtype, seed)).ToArbitrary(),
        c =>
        {
            var (name, op, reference, low) = UnaryOps[c.op];
            var x = HostReference.RandomValues(new Random(c.seed), HostReference.Numel(c.shape), low, 2);
            using var scope = TensorScope.Begin();
            var result = op(Make(x, c.shape, c.dtype));
            Assert.Equal(c.shape, result.Shape.ToArray());
            var (rtol, atol) = Approx.For(c.dtype, 10);
            Approx.Equal(RoundTo(x, c.dtype).Select(reference).ToArray(), result.ToDoubleArray(), rtol, atol, $"{name} {c.dtype}");
        });

    [Fact]
    public void IncompatibleShapesNameBothShapes()
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.Zeros(new Shape(2, 3), device: D);
        var b = Tensor.Zeros(new Shape(4), device: D);
        var e = Assert.Throws<ShapeException>(() => Ops.Add(a, b));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void MixedDtypesAreRejectedWithBothNamed()
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.Zeros(new Shape(2), DType.Float32, D);
        var b = Tensor.Zeros(new Shape(2), DType.Float64, D);
        var e = Assert.Throws<ArgumentException>(() => Ops.Mul(a, b));
        Assert.Contains("float32", e.Message);
        Assert.Contains("float64", e.Message);
    }

    [Fact]
    public void HalfTensorsMustBeCastBeforeArithmetic()
    {
        using var scope = TensorScope.Begin();
        var h = Tensor.Zeros(new Shape(3), DType.Float16, D);
        var e = Assert.Throws<NotSupportedException>(() => Ops.Exp(h));
        Assert.Contains("float16", e.Message);
    }

    [Fact]
    public void BroadcastingAScalarAgainstAVolume()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 1 * 3 * 3 * 3).Select(i => (double)i).ToArray(), new Shape(2, 1, 3, 3, 3), D);
        var y = Ops.Mul(x, Tensor.Scalar(2, DType.Float64, D));
        Assert.Equal(x.ToDoubleArray().Select(v => 2 * v), y.ToDoubleArray());
    }

    internal static Tensor Make(double[] values, int[] shape, DType dtype) => dtype == DType.Float64
        ? Tensor.FromArray(values, new Shape(shape), D)
        : Tensor.FromArray(values.Select(v => (float)v).ToArray(), new Shape(shape), D);

    internal static double[] RoundTo(double[] values, DType dtype) =>
        dtype == DType.Float64 ? values : values.Select(v => (double)(float)v).ToArray();
}
