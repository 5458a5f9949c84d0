using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Layers.Tests;

/// <summary>Mixed precision: float16 block outputs, float32 weights, recomputation in backward (or not), loss scaling.</summary>
public class MixedPrecisionTests
{
    private static Device D => TestDevice.Instance;

    /// <summary>A residual critic-style block: leaky(conv3(leaky(conv3(x))) + conv1(x)).</summary>
    private sealed class Block : Layer
    {
        private readonly Conv3d _c1, _c2, _skip;

        public Block(int cin, int cout, RandomGenerator rng)
        {
            _c1 = AddModule("conv1", new Conv3d(cin, cout, 3, rng, device: D));
            _c2 = AddModule("conv2", new Conv3d(cout, cout, 3, rng, device: D));
            _skip = AddModule("skip", new Conv3d(cin, cout, 1, rng, device: D));
        }

        public override Var Forward(Var x) => LeakyRelu(_c2.Forward(LeakyRelu(_c1.Forward(x), 0.2)) + _skip.Forward(x), 0.2);
    }

    private sealed class Stack : Module
    {
        private readonly Block[] _blocks;
        private readonly Dense _head;

        public Stack(ulong seed)
        {
            var rng = new RandomGenerator(seed);
            _blocks = [AddModule("block0", new Block(1, 4, rng)), AddModule("block1", new Block(4, 4, rng)), AddModule("block2", new Block(4, 4, rng))];
            _head = AddModule("head", new Dense(4, 1, rng, device: D));
        }

        public Var Forward(Var x, Precision precision)
        {
            foreach (var b in _blocks) x = b.Forward(x, precision);
            if (x.DType != DType.Float32) x = Cast(x, DType.Float32);
            return _head.Forward(Mean(Mean(Mean(x, -1), -1), -1));
        }
    }

    /// <summary>Pool bytes a forward pass of <paramref name="model"/> holds once complete: what its graph keeps for backward.</summary>
    private static long ForwardBytes(Stack model, Tensor data, Precision p)
    {
        using var scope = TensorScope.Begin();
        long before = D.Pool.BytesInUse;
        _ = model.Forward(new Var(data), p).Data.ToFloatArray();
        return D.Pool.BytesInUse - before;
    }

    [Fact]
    public void AForwardPassInMixedPrecisionHoldsAboutHalfTheActivationMemoryOrLess()
    {
        using var model = new Stack(1);
        using var data = Ops.Normal(new Shape(2, 1, 8, 8, 8), new RandomGenerator(2), device: D).Detach();
        long Measure(Precision p) => ForwardBytes(model, data, p);
        Measure(Precision.Fp32);
        Measure(Precision.Mixed); // warm both paths
        long fp32 = Measure(Precision.Fp32), mixed = Measure(Precision.Mixed);
        // Half would be the same tensors in float16; recomputation also drops the blocks' intermediates.
        Assert.True(mixed <= 0.55 * fp32, $"mixed {mixed} bytes vs fp32 {fp32} bytes ({(double)mixed / fp32:P0})");
    }

    private static (double Loss, float[] Weights) Train(Precision precision, int steps)
    {
        using var model = new Stack(5);
        using var opt = new Nadam([model.Group("all")], new NadamOptions { LearningRate = 1e-3 });
        var scaler = new DynamicLossScaler(initialScale: 1024);
        var data = new RandomGenerator(7);
        double loss = 0;
        for (int i = 0; i < steps; i++)
        {
            using var scope = TensorScope.Begin();
            model.ZeroGrad();
            var x = new Var(Ops.Normal(new Shape(2, 1, 4, 4, 4), data, device: D));
            var l = Mean(Square(model.Forward(x, precision) - 1.0));
            loss = l.Item();
            if (precision == Precision.Fp32)
            {
                l.Backward();
                opt.Step();
                continue;
            }
            double scale = scaler.Scale;
            (l * scale).Backward();
            scaler.Update(double.IsFinite(opt.Step(1 / scale)));
        }
        return (loss, model.Parameters().SelectMany(p => p.Data.ToArray<float>()).ToArray());
    }

    [Fact]
    public void TrainingInBothPrecisionsEndsWithinTolerance()
    {
        // Stated tolerance: after 6 Nadam steps (lr 1e-3) the final losses agree to 2 % and every
        // weight to 2e-3 absolute (fp16 keeps ~3 decimal digits of the block outputs).
        var (fp32Loss, fp32Weights) = Train(Precision.Fp32, 6);
        var (mixedLoss, mixedWeights) = Train(Precision.Mixed, 6);
        Assert.InRange(Math.Abs(mixedLoss - fp32Loss), 0, 0.02 * Math.Abs(fp32Loss));
        double worst = fp32Weights.Zip(mixedWeights, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 2e-3, $"largest weight difference {worst}");
        Assert.NotEqual(fp32Weights, mixedWeights); // the mixed path really ran in half precision
    }

    [Fact]
    public void TheGradientPenaltyFlowsThroughRecomputedBlocks()
    {
        // Double backprop through float16-stored blocks agrees with the fp32 path to fp16 accuracy.
        using var model = new Stack(3);
        using var scope = TensorScope.Begin();
        var x = Ops.Normal(new Shape(2, 1, 4, 4, 4), new RandomGenerator(4), device: D);
        double[] PenaltyGradient(Precision p)
        {
            using var inner = TensorScope.Begin();
            model.ZeroGrad();
            var xv = new Var(x, requiresGrad: true);
            var g = Gradients.Of([Sum(model.Forward(xv, p))], [xv], createGraph: true)[0];
            var penalty = Mean(Square(Sqrt(Sum(Reshape(Square(g), 2, -1), 1)) - 1.0));
            penalty.Backward();
            // The head's bias does not influence d f / d x, so the penalty gives it no gradient.
            return model.Parameters().SelectMany(q => q.Grad?.ToDoubleArray() ?? new double[q.Shape.Numel]).ToArray();
        }
        var reference = PenaltyGradient(Precision.Fp32);
        double scale = reference.Max(Math.Abs);
        foreach (var p in new[] { Precision.Mixed, Precision.MixedNoRecompute })
            Approx.Equal(reference, PenaltyGradient(p), 2e-2, 2e-3 * scale, $"penalty gradient, {p.Name()} vs fp32");
        model.ZeroGrad();
    }

    [Fact]
    public void WithoutRecomputationTheBlocksGiveTheSameValuesAndGradientsBitForBit()
    {
        // The same roundings (block input to float32, output and its gradient to float16), the same kernels: only the
        // recomputation is gone, so one backward pass gives identical values and gradients for input and weights.
        using var model = new Stack(9);
        using var scope = TensorScope.Begin();
        var x = Ops.Normal(new Shape(2, 1, 4, 4, 4), new RandomGenerator(10), device: D);
        float[][] Run(Precision p)
        {
            using var inner = TensorScope.Begin();
            model.ZeroGrad();
            var xv = new Var(x, requiresGrad: true);
            var y = model.Forward(xv, p);
            var grads = Gradients.Of([Sum(y * y)], [xv, .. model.Parameters()]);
            return [y.Data.ToArray<float>(), .. grads.Select(g => g.Data.ToArray<float>())];
        }
        var recomputed = Run(Precision.Mixed);
        var kept = Run(Precision.MixedNoRecompute);
        Assert.Equal(recomputed.Length, kept.Length);
        for (int k = 0; k < kept.Length; k++) Assert.Equal(recomputed[k], kept[k]);
        Assert.NotEqual(Run(Precision.Fp32)[1], kept[1]); // float16 roundings did happen
    }

    [Fact]
    public void WithoutRecomputationAForwardPassKeepsTheBlocksIntermediates()
    {
        using var model = new Stack(1);
        using var data = Ops.Normal(new Shape(2, 1, 8, 8, 8), new RandomGenerator(2), device: D).Detach();
        long Measure(Precision p) => ForwardBytes(model, data, p);
        foreach (var p in new[] { Precision.Mixed, Precision.MixedNoRecompute }) Measure(p);
        long recomputed = Measure(Precision.Mixed), kept = Measure(Precision.MixedNoRecompute);
        // What recomputation saves: the convolutions' and activations' outputs inside every block.
        Assert.True(kept > 2 * recomputed, $"kept {kept} bytes vs recomputed {recomputed} bytes");
    }

    [Fact]
    public void PrecisionNamesParse()
    {
        Assert.Equal(Precision.Mixed, PrecisionExtensions.ParsePrecision("mixed"));
        Assert.Equal(Precision.MixedNoRecompute, PrecisionExtensions.ParsePrecision("mixed-no-recompute"));
        foreach (var p in Enum.GetValues<Precision>()) Assert.Equal(p, PrecisionExtensions.ParsePrecision(p.Name()));
        Assert.Equal(Precision.Fp32, PrecisionExtensions.ParsePrecision("FP32"));
        Assert.Contains("bf16", Assert.Throws<ArgumentException>(() => PrecisionExtensions.ParsePrecision("bf16")).Message);
    }
}
