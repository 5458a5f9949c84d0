using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Layers.Tests;

public class OptimizerTests
{
    private static Device D => TestDevice.Instance;

    /// <summary>A module holding one free parameter, for feeding chosen gradients.</summary>
    private sealed class Free : Module
    {
        public Free(double[] values, DType dtype)
        {
            using var scope = TensorScope.Begin();
            var t = Tensor.FromArray(values, device: D);
            P = AddParameter("p", dtype == DType.Float64 ? Ops.Clone(t).Detach() : Ops.Cast(t, dtype).Detach());
        }

        public Var P { get; }

        /// <summary>Backward of sum(p * g) leaves exactly g in p.Grad.</summary>
        public void SetGradient(double[] g)
        {
            using var scope = TensorScope.Begin();
            P.ZeroGrad();
            var gt = Tensor.FromArray(g, device: D);
            Sum(P * Constant(P.DType == DType.Float64 ? gt : Ops.Cast(gt, P.DType))).Backward();
        }
    }

    /// <summary>The published Nadam equations, float64 on the host, for one parameter vector.</summary>
    private sealed class Reference(double[] theta, NadamOptions o, double lrFactor)
    {
        private readonly double[] _m = new double[theta.Length], _v = new double[theta.Length];
        private double _prod = 1;
        public double[] Theta { get; } = (double[])theta.Clone();

        private double Mu(long t) => o.Beta1 * (1 - 0.5 * Math.Pow(0.96, t * o.MomentumDecay));

        public void Step(long t, double[] g, double scale)
        {
            double mu = Mu(t), muNext = Mu(t + 1), lr = o.LearningRate * lrFactor;
            _prod *= mu;
            for (int i = 0; i < g.Length; i++)
            {
                double gi = g[i] * scale;
                _m[i] = o.Beta1 * _m[i] + (1 - o.Beta1) * gi;
                _v[i] = o.Beta2 * _v[i] + (1 - o.Beta2) * gi * gi;
                double vHat = _v[i] / (1 - Math.Pow(o.Beta2, t));
                double mBar = (1 - mu) / (1 - _prod) * gi + muNext / (1 - _prod * muNext) * _m[i];
                Theta[i] -= lr * mBar / (Math.Sqrt(vHat) + o.Epsilon);
            }
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void NadamReplaysThePublishedEquationsStepByStep(double clipNorm)
    {
        var options = new NadamOptions { LearningRate = 1e-2, ClipNorm = clipNorm };
        var rng = new Random(3);
        double[] a0 = [0.5, -1.2, 2.0], b0 = [0.1, 0.2];
        using var a = new Free(a0, DType.Float64);
        using var b = new Free(b0, DType.Float32);
        using var opt = new Nadam([a.Group("generator"), b.Group("mapping", "", 0.1)], options);
        var ra = new Reference(a0, options, 1);
        var rb = new Reference(b0, options, 0.1);
        for (long t = 1; t <= 12; t++)
        {
            var ga = a0.Select(_ => rng.NextDouble() * 4 - 2).ToArray();
            var gb = b0.Select(_ => rng.NextDouble() * 4 - 2).ToArray();
            a.SetGradient(ga);
            b.SetGradient(gb);
            double gbRounded = 0;
            var gb32 = gb.Select(v => (double)(float)v).ToArray();
            foreach (var v in ga.Concat(gb32)) gbRounded += v * v;
            double norm = opt.Step();
            Assert.Equal(Math.Sqrt(gbRounded), norm, 6);
            double factor = GradientClipping.Factor(Math.Sqrt(gbRounded), clipNorm);
            ra.Step(t, ga, factor);
            rb.Step(t, gb32, factor);
            Approx.Equal(ra.Theta, a.P.Data.ToArray<double>(), 1e-12, 1e-14, $"float64 parameter after step {t}");
            Approx.Equal(rb.Theta, b.P.Data.ToDoubleArray(), 2e-6, 1e-7, $"float32 parameter after step {t}");
        }
        Assert.Equal(12, opt.Steps);
    }

    [Fact]
    public void ClippingScalesAllGradientsTogether()
    {
        Assert.Equal(1, GradientClipping.Factor(0.5, 1));
        Assert.Equal(0.25, GradientClipping.Factor(4, 1));
        Assert.Equal(1, GradientClipping.Factor(1e9, 0)); // disabled
        Assert.True(double.IsNaN(GradientClipping.Factor(double.PositiveInfinity, 1)));
        using var scope = TensorScope.Begin();
        var norm = GradientClipping.GlobalNorm([Tensor.FromArray(new[] { 3.0 }, device: D), Tensor.FromArray(new[] { 4f }, device: D)]);
        Assert.Equal(5, norm, 12);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e300)]
    public void AllFiniteFindsANonFiniteElementInAnyTensorOfAnyDType(double bad)
    {
        // One read for all tensors: a non-finite value in the last of several (float32 and float64) is still seen;
        // 1e300 is finite in float64 and must not be mistaken for an overflow.
        using var scope = TensorScope.Begin();
        var finite = new[]
        {
            Tensor.FromArray(new[] { 1f, -2f, 3e38f }, device: D),
            Tensor.FromArray(new[] { 3f, 4f }, device: D),
            Tensor.FromArray(new[] { 1e-300, -5.0 }, device: D),
        };
        Assert.True(DynamicLossScaler.AllFinite(finite));
        Assert.True(DynamicLossScaler.AllFinite([]));
        var last = Tensor.FromArray(new[] { 0.5, bad }, device: D);
        Assert.Equal(double.IsFinite(bad), DynamicLossScaler.AllFinite([.. finite, last]));
    }

    [Fact]
    public void AnInjectedOverflowSkipsExactlyOneStepAndHalvesTheScale()
    {
        using var model = new Free([1.0, 2.0], DType.Float32);
        using var opt = new Nadam([model.Group("all")], new NadamOptions());
        var scaler = new DynamicLossScaler(initialScale: 1024, growthInterval: 3);
        var before = model.P.Data.ToArray<float>();
        double[][] grads = [[1, 1], [double.PositiveInfinity, 1], [1, 1], [1, 1], [1, 1]];
        var applied = new List<bool>();
        foreach (var g in grads)
        {
            model.SetGradient(g.Select(v => v * scaler.Scale).ToArray());
            double used = scaler.Scale;
            bool ok = scaler.Update(DynamicLossScaler.AllFinite([model.P.Grad!]));
            applied.Add(ok);
            if (ok) opt.Step(1 / used);
        }
        Assert.Equal(new[] { true, false, true, true, true }, applied);
        Assert.Equal(1, scaler.SkippedSteps);
        Assert.Equal(4, opt.Steps);
        Assert.Equal(1024, scaler.Scale); // halved to 512, then doubled after 3 clean steps
        Assert.All(model.P.Data.ToArray<float>(), v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(before, model.P.Data.ToArray<float>());
    }

    [Fact]
    public void NonFiniteLossesStopWithTheStepNamed()
    {
        var e = Assert.Throws<NonFiniteLossException>(() => NonFiniteLossException.ThrowIfNotFinite(17, "critic loss", double.NaN));
        Assert.Equal(17, e.Step);
        Assert.Contains("step 17", e.Message);
        Assert.Contains("critic loss", e.Message);
        NonFiniteLossException.ThrowIfNotFinite(1, "loss", 3.0);
    }

    [Fact]
    public void OptimizerStepsDoNotGrowDeviceMemory()
    {
        using var model = new Free([1.0, 2.0, 3.0], DType.Float32);
        using var opt = new Nadam([model.Group("all")], new NadamOptions());
        model.SetGradient([1, 2, 3]);
        opt.Step();
        opt.Step();
        int live = D.LiveTensors;
        long inUse = D.Pool.BytesInUse, allocations = D.Pool.DeviceAllocations;
        for (int i = 0; i < 10; i++) { model.SetGradient([1, 2, 3]); opt.Step(); }
        Assert.Equal(live, D.LiveTensors);
        Assert.Equal(inUse, D.Pool.BytesInUse);
        Assert.Equal(allocations, D.Pool.DeviceAllocations);
    }
}
