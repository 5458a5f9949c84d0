using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using VoxelGan.Tensors.Kernels;
using VoxelGan.TestSupport;

namespace VoxelGan.Tensors.Tests;

/// <summary>
/// Differential tests: every kernel family of the host backend against the ILGPU reference kernels
/// (on ILGPU's CPU accelerator), the same op on the same inputs, over FsCheck-drawn shapes. Ops whose
/// host form evaluates the same expression in the same order must agree bit for bit; sums in another
/// order (reductions, GEMM, convolution, FFT) within rounding of the sum of magnitudes.
/// </summary>
public class BackendAgreementTests
{
    private static Device Host => TestDevice.Host;
    private static Device Reference => TestDevice.IlgpuCpu;
    private static readonly DType[] Compute = [DType.Float32, DType.Float64];

    /// <summary>Runs <paramref name="op"/> on both devices and compares: exactly when <paramref name="rtol"/> is 0, else |a - e| &lt;= rtol (scale + |e|).</summary>
    private static void Agree(string what, Func<Device, Tensor> op, double rtol = 0, Func<Device, Tensor>? magnitude = null)
    {
        using var scope = TensorScope.Begin();
        var expected = op(Reference).ToDoubleArray();
        var actual = op(Host).ToDoubleArray();
        var scale = magnitude?.Invoke(Reference).ToDoubleArray();
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, reference {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool same = rtol == 0
                ? BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a) || (double.IsNaN(e) && double.IsNaN(a))
                : e == a || (double.IsNaN(e) && double.IsNaN(a)) || Math.Abs(a - e) <= rtol * ((scale?[i] ?? 0) + Math.Abs(e)) + 1e-300;
            Assert.True(same, $"{what}: element {i} of {expected.Length} is {a:R} on the host, {e:R} on the reference");
        }
    }

    private static double Rounding(DType dtype) => dtype == DType.Float64 ? 1e-13 : 2e-6;

    /// <summary>Values with a random sign, and with zeros, infinities and NaNs sprinkled in when <paramref name="special"/>.</summary>
    private static double[] Values(int seed, int n, bool special = false, double scale = 2)
    {
        var rng = new Random(seed);
        double[] specials = [0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-8, 70000];
        return Enumerable.Range(0, n).Select(_ => special && rng.Next(10) == 0 ? specials[rng.Next(specials.Length)] : scale * (2 * rng.NextDouble() - 1)).ToArray();
    }

    private static Tensor Make(double[] values, int[] shape, DType dtype, Device device)
    {
        using var x = Tensor.FromArray(values, new Shape(shape), device);
        return Ops.Cast(x, dtype);
    }

    private static Config Runs(int count) => Config.QuickThrowOnFailure.WithMaxTest(count);

    private static Gen<DType> ComputeType => Gen.Elements(Compute);

    public static IEnumerable<object[]> UnaryOps() => OpsOf<IUnaryOp>();

    public static IEnumerable<object[]> BinaryOps() => OpsOf<IBinaryOp>();

    private static IEnumerable<object[]> OpsOf<TInterface>() =>
        typeof(IUnaryOp).Assembly.GetTypes().Where(t => t.IsValueType && typeof(TInterface).IsAssignableFrom(t)).Select(t => new object[] { t.Name });

    private static Type OpType(string name) => typeof(IUnaryOp).Assembly.GetTypes().Single(t => t.IsValueType && t.Name == name);

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void UnaryOpsAgreeBitForBit(string name)
    {
        var unary = typeof(Ops).GetMethod(nameof(Ops.Unary))!.MakeGenericMethod(OpType(name));
        var cases = from shape in Gens.Shape(maxRank: 3, maxExtent: 40) from dtype in ComputeType from s in Gen.Choose(-30, 30) from seed in Gens.Seed select (shape, dtype, s / 10.0, seed);
        Prop.ForAll(cases.ToArbitrary(), c => Agree($"{name} {string.Join("x", c.shape)} {c.dtype.Name()} s={c.Item3}",
            d => (Tensor)unary.Invoke(null, [Make(Values(c.seed, HostReference.Numel(c.shape), special: true), c.shape, c.dtype, d), c.Item3])!)).Check(Runs(6));
    }

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void BroadcastBinaryOpsAgreeBitForBit(string name)
    {
        var binary = typeof(Ops).GetMethod(nameof(Ops.Binary))!.MakeGenericMethod(OpType(name));
        var cases = from shapes in Gens.BroadcastPair(maxRank: 4, maxExtent: 20) from dtype in ComputeType from s in Gen.Choose(-30, 30) from seed in Gens.Seed select (shapes.A, shapes.B, dtype, s / 10.0, seed);
        Prop.ForAll(cases.ToArbitrary(), c => Agree($"{name} {string.Join("x", c.A)} with {string.Join("x", c.B)} {c.dtype.Name()} s={c.Item4}",
            d => (Tensor)binary.Invoke(null, [
                Make(Values(c.seed, HostReference.Numel(c.A), special: true), c.A, c.dtype, d),
                Make(Values(c.seed + 1, HostReference.Numel(c.B), special: true), c.B, c.dtype, d), c.Item4])!)).Check(Runs(6));
    }

    [Fact]
    public void ReductionsAgree()
    {
        var cases = from shape in Gens.Shape(maxRank: 4, maxExtent: 30) from pick in Gen.Choose(0, 8) from dtype in ComputeType from seed in Gens.Seed select (shape, pick, dtype, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            Tensor X(Device d) => Make(Values(c.seed, HostReference.Numel(c.shape)), c.shape, c.dtype, d);
            Tensor Abs(Device d) => Ops.Abs(X(d));
            double tol = Rounding(c.dtype) * 10;
            string what = $"{string.Join("x", c.shape)} {c.dtype.Name()}";
            Agree("Sum " + what, d => Ops.Sum(X(d)), tol, d => Ops.Sum(Abs(d)));
            if (HostReference.Numel(c.shape) > 0)
            {
                Agree("Max " + what, d => Ops.Max(X(d)));
                Agree("Min " + what, d => Ops.Min(X(d)));
            }
            if (c.shape.Length == 0) return;
            int axis = c.pick % c.shape.Length;
            Agree($"Sum axis {axis} " + what, d => Ops.Sum(X(d), axis), tol, d => Ops.Sum(Abs(d), axis));
            if (c.shape[axis] > 0) Agree($"Max axis {axis} " + what, d => Ops.Max(X(d), axis));
        }).Check(Runs(25));
    }

    [Fact]
    public void BiasGradientSumsAgree()
    {
        // SumTo with summed axes around one kept run ([N, C, D, H, W] to [1, C, 1, 1, 1]): one ReduceAround launch.
        var cases = from n in Gen.Choose(1, 4) from c in Gen.Choose(1, 5) from spatial in Gen.ArrayOf(Gen.Choose(1, 9), 3)
                    from dtype in ComputeType from seed in Gens.Seed select (shape: new[] { n, c, spatial[0], spatial[1], spatial[2] }, dtype, seed);
        Prop.ForAll(cases.ToArbitrary(), k =>
        {
            Tensor X(Device d) => Make(Values(k.seed, HostReference.Numel(k.shape)), k.shape, k.dtype, d);
            var target = new Shape(1, k.shape[1], 1, 1, 1);
            Agree($"SumTo {string.Join("x", k.shape)} -> {target} {k.dtype.Name()}", d => Ops.SumTo(X(d), target), Rounding(k.dtype) * 10,
                d => Ops.SumTo(Ops.Abs(X(d)), target));
        }).Check(Runs(20));
    }

    [Fact]
    public void CopiesAgreeBitForBit()
    {
        var cases = from shape in Gens.Shape(maxRank: 5, maxExtent: 6) from seed in Gens.Seed from dtype in Gen.Elements(DType.Float16, DType.Float32, DType.Float64) select (shape, seed, dtype);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.seed);
            int rank = c.shape.Length;
            Tensor X(Device d) => Make(Values(c.seed, HostReference.Numel(c.shape)), c.shape, c.dtype, d);
            string what = $"{string.Join("x", c.shape)} {c.dtype.Name()}";
            var permutation = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
            Agree("Permute " + what, d => Ops.Permute(X(d), permutation));
            if (rank == 0) return;
            int axis = rng.Next(rank), start = rng.Next(c.shape[axis] + 1), length = rng.Next(c.shape[axis] - start + 1);
            Agree("Slice " + what, d => Ops.Slice(X(d), axis, start, length));
            Agree("Concat " + what, d => Ops.Concat([X(d), X(d)], axis));
            var before = c.shape.Select(_ => rng.Next(3)).ToArray();
            var after = c.shape.Select(_ => rng.Next(3)).ToArray();
            Agree("Pad " + what, d => Ops.Pad(X(d), before, after, 0.5));
            Agree("BroadcastTo " + what, d => Ops.BroadcastTo(X(d), new Shape([3, .. c.shape])));
        }).Check(Runs(30));
    }

    [Fact]
    public void CastsAgreeBitForBit()
    {
        DType[] all = [DType.Float16, DType.Float32, DType.Float64];
        var cases = from n in Gen.Choose(0, 3000) from source in Gen.Elements(all) from target in Gen.Elements(all) from seed in Gens.Seed select (n, source, target, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // Magnitudes from subnormal to beyond float16's range, ties included, to exercise rounding.
            var rng = new Random(c.seed);
            var values = Values(c.seed, c.n, special: true).Select(v => v * Math.Pow(2, rng.Next(-30, 20))).ToArray();
            Agree($"Cast {c.n} {c.source.Name()} -> {c.target.Name()}", d => Ops.Cast(Make(values, [c.n], c.source, d), c.target));
        }).Check(Runs(30));
    }

    [Fact]
    public void RandomNumbersAgreeBitForBit()
    {
        var cases = from n in Gen.Choose(0, 5000) from dtype in Gen.Elements(DType.Float16, DType.Float32, DType.Float64) from seed in Gens.Seed from skip in Gen.Choose(0, 100) select (n, dtype, seed, skip);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            Tensor Draw(Device d, bool normal)
            {
                var rng = new RandomGenerator((ulong)c.seed) { Offset = (ulong)c.skip };
                return normal ? Ops.Normal(new Shape(c.n), rng, 0.5, 2, c.dtype, d) : Ops.Uniform(new Shape(c.n), rng, -1, 3, c.dtype, d);
            }
            Agree($"Uniform {c.n} {c.dtype.Name()}", d => Draw(d, normal: false));
            Agree($"Normal {c.n} {c.dtype.Name()}", d => Draw(d, normal: true));
        }).Check(Runs(20));
    }

    [Fact]
    public void MatMulsAgree()
    {
        var cases = from batchA in Gen.Choose(1, 3) from broadcast in Gen.Elements(true, false) from m in Gen.Choose(1, 40) from n in Gen.Choose(1, 70) from k in Gen.Choose(0, 300)
                    from ta in Gen.Elements(true, false) from tb in Gen.Elements(true, false) from dtype in ComputeType from seed in Gens.Seed
                    select (batchA, broadcast, m, n, k, ta, tb, dtype, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            int[] sa = Operand(c.ta, c.batchA, c.m, c.k), sb = Operand(c.tb, c.broadcast ? 1 : c.batchA, c.k, c.n);
            Tensor A(Device d, bool abs) => Make(Values(c.seed, HostReference.Numel(sa)).Select(v => abs ? Math.Abs(v) : v).ToArray(), sa, c.dtype, d);
            Tensor B(Device d, bool abs) => Make(Values(c.seed + 1, HostReference.Numel(sb)).Select(v => abs ? Math.Abs(v) : v).ToArray(), sb, c.dtype, d);
            Agree($"MatMul A {string.Join("x", sa)}{(c.ta ? "^T" : "")} B {string.Join("x", sb)}{(c.tb ? "^T" : "")} {c.dtype.Name()}",
                d => Ops.MatMul(A(d, false), B(d, false), c.ta, c.tb), Rounding(c.dtype) * 4, d => Ops.MatMul(A(d, true), B(d, true), c.ta, c.tb));
        }).Check(Runs(30));

        static int[] Operand(bool transposed, int batch, int rows, int cols) => transposed ? [batch, cols, rows] : [batch, rows, cols];
    }

    /// <summary>
    /// Convolution cases with odd sizes (rows up to 36 voxels), strides 1-3, padding 0-2, kernels 1-4 and channel counts that are not tile
    /// multiples; output paddings down to 1 - K (negative ones crop, as TensorFlow's 'same').
    /// </summary>
    public static Gen<(ConvCase Case, DType DType, int OutputPadding)> ConvCases(int maxStride = 3, int maxCout = 19) =>
        from k in Gen.Choose(1, 4)
        from s in Gen.Choose(1, maxStride)
        from p in Gen.Choose(0, Math.Min(2, k - 1))
        from n in Gen.Choose(1, 2)
        from cin in Gen.Choose(1, 9)
        from cout in Gen.Choose(1, maxCout)
        from d in Gen.Choose(Math.Max(1, k - 2 * p), 9)
        from h in Gen.Choose(Math.Max(1, k - 2 * p), 9)
        // Rows up to 11 run the host's short-row paths (one vector or less), 12-36 its one-, two- and four-vector rows.
        from w in Gen.OneOf(Gen.Choose(Math.Max(1, k - 2 * p), 11), Gen.Choose(12, 36))
        from op in Gen.Choose(1 - k, s - 1)
        from dtype in ComputeType
        from seed in Gens.Seed
        select (new ConvCase(n, cin, cout, d, h, w, k, s, p, seed), dtype, op);

    [Fact]
    public void ConvolutionsAgree() => CheckConvolutions(ConvCases(), 40);

    /// <summary>
    /// Stride 1 and at most 4 output channels: the host's narrow path (the critic's first layers and the input gradient
    /// of the penalty), with rows shorter than a vector four at a time and longer ones in one, two or four vectors.
    /// </summary>
    [Fact]
    public void NarrowConvolutionsAgree() => CheckConvolutions(ConvCases(maxStride: 1, maxCout: 4), 25);

    private static void CheckConvolutions(Gen<(ConvCase Case, DType DType, int OutputPadding)> cases, int runs)
    {
        Prop.ForAll(cases.ToArbitrary(), t =>
        {
            var (c, dtype, op) = t;
            int[] xs = [c.N, c.Cin, c.D, c.H, c.W], ws = [c.Cout, c.Cin, c.K, c.K, c.K], ys = [c.N, c.Cout, c.Out(c.D), c.Out(c.H), c.Out(c.W)];
            int[] tws = [c.Cin, c.Cout, c.K, c.K, c.K];
            Tensor T(int seed, int[] shape, Device d, bool abs) => Make(Values(seed, HostReference.Numel(shape)).Select(v => abs ? Math.Abs(v) : v).ToArray(), shape, dtype, d);
            string what = $"{c} {dtype.Name()} output padding {op}";
            double tol = Rounding(dtype) * 4;
            Agree("Conv3d " + what, d => Ops.Conv3d(T(c.Seed, xs, d, false), T(c.Seed + 1, ws, d, false), c.S, c.P), tol,
                d => Ops.Conv3d(T(c.Seed, xs, d, true), T(c.Seed + 1, ws, d, true), c.S, c.P));
            // The transposed convolution maps the coarse grid ys back to a fine grid xt (grown or cropped by the
            // output padding), which does not exist for some paddings: then only the other two ops are compared.
            // xt and ys are not PyTorch-sized when op < 0, so Conv3d takes ys's extents explicitly there.
            int[] coarse = [c.N, c.Cin, .. ys[2..]];
            int[]? xt = null;
            try { xt = Shape.ConvTranspose3d(new Shape(coarse), new Shape(tws), c.S, c.P, [op, op, op]).ToArray(); }
            catch (ShapeException) { }
            if (xt is not null)
            {
                Agree("ConvTranspose3d " + what, d => Ops.ConvTranspose3d(T(c.Seed + 2, coarse, d, false), T(c.Seed + 1, tws, d, false), c.S, c.P, op), tol,
                    d => Ops.ConvTranspose3d(T(c.Seed + 2, coarse, d, true), T(c.Seed + 1, tws, d, true), c.S, c.P, op));
                int[] xf = [c.N, c.Cin, .. xt[2..]], yf = [c.N, c.Cout, .. ys[2..]];
                Agree("Conv3d to explicit extents " + what, d => Ops.Conv3d(T(c.Seed, xf, d, false), T(c.Seed + 1, ws, d, false), c.S, c.P, ys[2..]), tol,
                    d => Ops.Conv3d(T(c.Seed, xf, d, true), T(c.Seed + 1, ws, d, true), c.S, c.P, ys[2..]));
                Agree("Conv3dWeightGrad explicit extents " + what, d => Ops.Conv3dWeightGrad(T(c.Seed, xf, d, false), T(c.Seed + 3, yf, d, false), c.K, c.S, c.P), tol,
                    d => Ops.Conv3dWeightGrad(T(c.Seed, xf, d, true), T(c.Seed + 3, yf, d, true), c.K, c.S, c.P));
            }
            Agree("Conv3dWeightGrad " + what, d => Ops.Conv3dWeightGrad(T(c.Seed, xs, d, false), T(c.Seed + 3, ys, d, false), c.K, c.S, c.P), tol,
                d => Ops.Conv3dWeightGrad(T(c.Seed, xs, d, true), T(c.Seed + 3, ys, d, true), c.K, c.S, c.P));
        }).Check(Runs(runs));
    }

    [Fact]
    public void PoolingAndUpsamplingAgreeBitForBit()
    {
        var cases = from k in Gen.Choose(1, 3) from nc in Gen.Choose(1, 6) from d in Gen.Choose(1, 4) from h in Gen.Choose(1, 4) from w in Gen.Choose(1, 5) from dtype in ComputeType from seed in Gens.Seed
                    select (k, nc, d, h, w, dtype, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            int[] fine = [1, c.nc, c.d * c.k, c.h * c.k, c.w * c.k], coarse = [1, c.nc, c.d, c.h, c.w];
            Agree($"AvgPool3d {c}", d => Ops.AvgPool3d(Make(Values(c.seed, HostReference.Numel(fine)), fine, c.dtype, d), c.k));
            Agree($"Upsample3d {c}", d => Ops.Upsample3d(Make(Values(c.seed, HostReference.Numel(coarse)), coarse, c.dtype, d), c.k, 0.3));
        }).Check(Runs(20));
    }

    [Fact]
    public void NadamUpdatesAgreeBitForBit()
    {
        // The gate decides on the device: clipped or not (sums of squares around the clip norm 1), skipped (inf or NaN
        // in any entry, own or not), ascending (negative scale); a skipped step must leave all three tensors as they were.
        var gates = Gen.ArrayOf(Gen.Elements(0.0, 0.25, 4.0, 100.0, double.PositiveInfinity, double.NaN)).Where(g => g.Length is >= 1 and <= 3);
        var cases = from n in Gen.Choose(0, 2000) from dtype in ComputeType from seed in Gens.Seed from gate in gates
                    from own in Gen.Choose(0, 2) from clip in Gen.Elements(0.0, 1.0) from scale in Gen.Elements(0.7, -0.7)
                    select (n, dtype, seed, gate, own: own % gate.Length, clip, scale);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var coefficients = new NadamCoefficients(c.scale, 0.9, 0.999, 0.05, 1e-7, -0.01, -0.02, c.clip);
            foreach (int which in new[] { 0, 1, 2 })
                Agree($"Nadam {c} tensor {which}", d =>
                {
                    var theta = Make(Values(c.seed, c.n), [c.n], c.dtype, d);
                    var m = Make(Values(c.seed + 1, c.n), [c.n], c.dtype, d);
                    var v = Make(Values(c.seed + 2, c.n).Select(Math.Abs).ToArray(), [c.n], c.dtype, d);
                    Ops.NadamUpdate(theta, Make(Values(c.seed + 3, c.n), [c.n], c.dtype, d), m, v, coefficients, Tensor.FromArray(c.gate, device: d), c.own);
                    return new[] { theta, m, v }[which];
                });
        }).Check(Runs(15));
    }

    [Fact]
    public void FourierTransformsAgree()
    {
        int[] lengths = [.. Enumerable.Range(1, 40), 49, 64, 97, 125, 128];
        var cases = from outer in Gen.Choose(1, 3) from n in Gen.Elements(lengths) from inner in Gen.Elements(1, 2, 3, 8, 17) from sign in Gen.Elements(-1, 1) from dtype in ComputeType from seed in Gens.Seed
                    select (outer, n, inner, sign, dtype, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            int[] shape = [c.outer, c.n, c.inner, 2];
            var values = Values(c.seed, HostReference.Numel(shape));
            double norm = Math.Sqrt(values.Sum(v => v * v));
            Agree($"FFT {c}", d => Ops.FourierTransform(Make(values, shape, c.dtype, d), 1, c.sign), Rounding(c.dtype) * 20 * Math.Log2(c.n + 1),
                d => Ops.AddScalar(Tensor.Zeros(new Shape(shape), c.dtype, d), norm));
        }).Check(Runs(40));
    }

    [Fact]
    public void HomogenizationKernelsAgree()
    {
        var cases = from dd in Gen.Choose(1, 6) from hh in Gen.Choose(1, 6) from ww in Gen.Choose(1, 19) from seed in Gens.Seed select (dd, hh, ww, seed);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            int n = c.dd * c.hh * c.ww;
            var grid = new GreenGrid<double> { D = c.dd, H = c.hh, W = c.ww, Lambda0 = 1.7, Mu0 = 0.6 };
            double[] xi = [.. Values(c.seed, c.dd + c.hh + c.ww)];
            xi[0] = 0; xi[c.dd] = 0; xi[c.dd + c.hh] = 0; // the zero frequency, where both operators vanish
            Tensor F(Device d, int seed, params int[] shape) => Tensor.FromArray(Values(seed, HostReference.Numel(shape)), new Shape(shape), d);
            Agree($"HookeStress {c}", d => Ops.HookeStress(F(d, c.seed, 6, n), Ops.Abs(F(d, c.seed + 1, n)), Ops.Abs(F(d, c.seed + 2, n))), 1e-15);
            Agree($"GreenOperator {c}", d => Ops.GreenOperator(F(d, c.seed, 6, c.dd, c.hh, c.ww, 2), Tensor.FromArray(xi, device: d), grid), 1e-15);
            Agree($"EquilibriumResidual {c}", d => Ops.EquilibriumResidual(F(d, c.seed, 6, c.dd, c.hh, c.ww, 2), Tensor.FromArray(xi, device: d), grid), 1e-15);
        }).Check(Runs(20));
    }
}
