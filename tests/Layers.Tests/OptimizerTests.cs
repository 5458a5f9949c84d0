using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.Tensors.Kernels;
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
            double factor = NadamKernels.GradientFactor(gbRounded, gbRounded, 1, clipNorm);
            ra.Step(t, ga, factor);
            rb.Step(t, gb32, factor);
            Approx.Equal(ra.Theta, a.P.Data.ToArray<double>(), 1e-12, 1e-14, $"float64 parameter after step {t}");
            Approx.Equal(rb.Theta, b.P.Data.ToDoubleArray(), 2e-6, 1e-7, $"float32 parameter after step {t}");
        }
        Assert.Equal(12, opt.Steps);
    }

    /// <summary>A module with parameters of awkward sizes in one dtype, so one flat buffer with padded segments holds them.</summary>
    private sealed class Several : Module
    {
        public Several(int[] sizes, DType dtype, Device device)
        {
            using var scope = TensorScope.Begin();
            var rng = new Random(11);
            for (int i = 0; i < sizes.Length; i++)
                Params.Add(AddParameter($"p{i}", Ops.Cast(Tensor.FromArray(HostValues(rng, sizes[i]), device: device), dtype).Detach()));
        }

        public List<Var> Params { get; } = [];

        public static double[] HostValues(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();

        /// <summary>Leaves exactly g[i] in parameter i's gradient (none where g[i] is null).</summary>
        public void SetGradients(double[]?[] g)
        {
            using var scope = TensorScope.Begin();
            ZeroGrad();
            Var? loss = null;
            for (int i = 0; i < Params.Count; i++)
            {
                if (g[i] is null) continue;
                var gt = Ops.Cast(Tensor.FromArray(g[i]!, device: Params[i].Device), Params[i].DType);
                var term = Sum(Params[i] * Constant(gt));
                loss = loss is null ? term : loss + term;
            }
            loss!.Backward();
        }
    }

    [Theory]
    [InlineData("float32", 1.0)]
    [InlineData("float64", 1.0)]
    [InlineData("float32", 0.0)]
    public void TheFlatBufferStepsEveryParameterAsThePublishedEquations(string type, double clipNorm)
    {
        // Sizes that are not multiples of the 64-byte alignment, so the flat buffer has padding between segments.
        var dtype = type == "float32" ? DType.Float32 : DType.Float64;
        int[] sizes = [3, 17, 1, 40];
        var options = new NadamOptions { LearningRate = 1e-2, ClipNorm = clipNorm };
        using var model = new Several(sizes, dtype, D);
        var tensors = model.Params.Select(p => p.Data).ToArray();
        var references = model.Params.Select(p => new Reference(p.Data.ToDoubleArray(), options, 0.5)).ToArray();
        using var opt = new Nadam([model.Group("all", "", 0.5)], options);
        Assert.All(model.Params.Zip(tensors), pair => Assert.Same(pair.Second, pair.First.Data)); // moved, not replaced
        var rng = new Random(5);
        var (rtol, atol) = dtype == DType.Float32 ? (2e-6, 1e-7) : (1e-12, 1e-14);
        for (long t = 1; t <= 6; t++)
        {
            var g = sizes.Select(n => Several.HostValues(rng, n).Select(v => dtype == DType.Float32 ? (double)(float)v : v).ToArray()).ToArray();
            model.SetGradients(g);
            double squares = g.SelectMany(v => v).Sum(v => v * v);
            Assert.Equal(Math.Sqrt(squares), opt.Step(), 9);
            double factor = NadamKernels.GradientFactor(squares, squares, 1, clipNorm);
            for (int i = 0; i < sizes.Length; i++)
            {
                references[i].Step(t, g[i], factor);
                Approx.Equal(references[i].Theta, model.Params[i].Data.ToDoubleArray(), rtol, atol, $"{type} parameter {i} after step {t}");
            }
        }
    }

    [Fact]
    public void AParameterWithoutAGradientIsLeftAlone()
    {
        var options = new NadamOptions { LearningRate = 1e-2 };
        using var model = new Several([5, 6], DType.Float64, D);
        var untouched = model.Params[1].Data.ToArray<double>();
        var reference = new Reference(model.Params[0].Data.ToArray<double>(), options, 1);
        using var opt = new Nadam([model.Group("all")], options);
        var g = new[] { 0.3, -0.2, 0.1, 0.5, -0.4 };
        double squares = g.Sum(v => v * v);
        for (long t = 1; t <= 3; t++)
        {
            model.SetGradients([g, null]);
            opt.Step();
            reference.Step(t, g, NadamKernels.GradientFactor(squares, squares, 1, options.ClipNorm));
        }
        Approx.Equal(reference.Theta, model.Params[0].Data.ToArray<double>(), 1e-12, 1e-14, "the parameter with a gradient");
        Assert.Equal(untouched, model.Params[1].Data.ToArray<double>());
    }

    [Fact]
    public void ASkippedStepLeavesParametersMomentsAndScheduleAsTheyWere()
    {
        var options = new NadamOptions { LearningRate = 1e-2 };
        using var model = new Several([4, 9], DType.Float32, D);
        using var twin = new Several([4, 9], DType.Float32, D); // the same draw: the run without the bad step
        using var opt = new Nadam([model.Group("all")], options);
        using var twinOpt = new Nadam([twin.Group("all")], options);
        var rng = new Random(2);
        var good = new[] { Several.HostValues(rng, 4), Several.HostValues(rng, 9) };
        model.SetGradients(good);
        twin.SetGradients(good);
        opt.Step();
        twinOpt.Step();
        double[] State(Nadam o, Several m)
        {
            using var state = o.StateDict("");
            return [.. m.Params.SelectMany(p => p.Data.ToDoubleArray()), .. state.Entries.SelectMany(e => e.Value.ToDoubleArray())];
        }
        var before = State(opt, model);
        var bad = new[] { good[0], good[1].Select((v, i) => i == 3 ? double.NaN : v).ToArray() };
        model.SetGradients(bad);
        Assert.True(double.IsNaN(opt.Step()));
        Assert.Equal(1, opt.Steps);
        Assert.Equal(before, State(opt, model));
        // The schedule was taken back: the next step is the twin's second step, bit for bit.
        model.SetGradients(good);
        twin.SetGradients(good);
        opt.Step();
        twinOpt.Step();
        Assert.Equal(State(twinOpt, twin), State(opt, model));
    }

    [Fact]
    public void ASharedGateSkipsAStepWhenAnotherOptimizerOverflowedAndNoStepReadsTheDevice()
    {
        // Own ILGPU device: its counters show that queuing steps reads nothing back (the decision is the kernel's).
        using var device = Device.Create(DeviceKind.IlgpuCpu);
        using var a = new Several([6], DType.Float32, device);
        using var b = new Several([3], DType.Float32, device);
        using var optA = new Nadam([a.Group("a")], new NadamOptions());
        using var optB = new Nadam([b.Group("b")], new NadamOptions());
        var aBefore = a.Params[0].Data.ToArray<float>();
        a.SetGradients([[1, 2, 3, 4, 5, 6]]);
        b.SetGradients([[1, double.PositiveInfinity, 3]]);
        using var scope = TensorScope.Begin();
        device.Counters.Reset();
        var sums = new[] { optA.SumOfSquares(), optB.SumOfSquares() };
        var gate = Ops.Concat([sums[0].Reshape(1), sums[1].Reshape(1)], 0);
        optA.Queue(gate, 0);
        optB.Queue(gate, 1);
        Assert.Equal(0, device.Counters.HostSyncs);
        var read = Ops.ReadScalars(sums);
        Assert.Equal(91, read[0], 9);
        Assert.True(double.IsPositiveInfinity(read[1]));
        optA.Settle(false);
        optB.Settle(false);
        Assert.Equal(aBefore, a.Params[0].Data.ToArray<float>());
        Assert.Equal(0, optA.Steps);
        // Gated by its own sum alone, A's step goes through.
        optA.Queue(sums[0], 0);
        optA.Settle(true);
        Assert.NotEqual(aBefore, a.Params[0].Data.ToArray<float>());
        Assert.Throws<InvalidOperationException>(() => optA.Settle(true));
    }

    [Fact]
    public void ClippingScalesAllGradientsTogether()
    {
        // GradientFactor(total, own, scale, clip): the gate's total decides skipping, the own sum of squares the norm.
        Assert.Equal(1, NadamKernels.GradientFactor(0.25, 0.25, 1, 1));
        Assert.Equal(0.25, NadamKernels.GradientFactor(16, 16, 1, 1));
        Assert.Equal(1, NadamKernels.GradientFactor(1e18, 1e18, 1, 0)); // disabled
        Assert.Equal(-0.5 * (1 / (0.5 * 4)), NadamKernels.GradientFactor(16, 16, -0.5, 1)); // the unscaled norm is clipped, the sign kept
        Assert.Equal(0.25, NadamKernels.GradientFactor(17, 16, 1, 1)); // another optimizer's finite sum does not change the clip
        Assert.True(double.IsNaN(NadamKernels.GradientFactor(double.PositiveInfinity, 16, 1, 1)));
        Assert.True(double.IsNaN(NadamKernels.GradientFactor(double.NaN, 0, 1, 0)));
        using var scope = TensorScope.Begin();
        Assert.Equal(25, Ops.SumOfSquares(Tensor.FromArray(new[] { 3.0, 4.0 }, device: D)).Item(), 12);
        var big = Ops.SumOfSquares(Tensor.FromArray(new[] { 3e38f, 3e38f }, device: D));
        Assert.Equal(DType.Float64, big.DType);
        Assert.Equal(2 * (double)3e38f * 3e38f, big.Item(), 1e63); // float32 would overflow; float64 does not
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e300)]
    public void TheGateSeesANonFiniteElementInAnyParameterOfAnyDType(double bad)
    {
        // One sum of squares for all of an optimizer's gradients (float32 and float64 parameters): a bad value in the
        // last is still seen. 3e38 in float32 is squared in float64 and stays finite; 1e300 in float64 squares to
        // infinity, a norm no step can use, so it counts as an overflow.
        using var f32 = new Several([3, 2], DType.Float32, D);
        using var f64 = new Several([2, 2], DType.Float64, D);
        using var opt = new Nadam([f32.Group("f32"), f64.Group("f64")], new NadamOptions());
        f32.SetGradients([[1, -2, 3e38], [3, 4]]);
        f64.SetGradients([[1e-300, -5], [0.5, 0.25]]);
        using var scope = TensorScope.Begin();
        Assert.True(double.IsFinite(opt.SumOfSquares().Item()));
        f64.SetGradients([[1e-300, -5], [0.5, bad]]);
        Assert.False(double.IsFinite(opt.SumOfSquares().Item()));
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
            // The step skips itself on the device when the gradients are not finite; the scaler learns it from the norm.
            bool ok = scaler.Update(double.IsFinite(opt.Step(1 / used)));
            applied.Add(ok);
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
