using VoxelGan.Tensors;
using VoxelGan.TestSupport;
using static VoxelGan.Autograd.Functional;

namespace VoxelGan.Autograd.Tests;

public class MemoryTests
{
    private static Device D => TestDevice.Instance;

    private static (Var W1, Var W2) Weights()
    {
        var rng = new RandomGenerator(4);
        return (new Var(Ops.Normal(new Shape(6, 8), rng, dtype: DType.Float64, device: D).Detach(), requiresGrad: true),
                new Var(Ops.Normal(new Shape(8, 1), rng, dtype: DType.Float64, device: D).Detach(), requiresGrad: true));
    }

    private static void TrainingStep(Var w1, Var w2, bool withPenalty)
    {
        using var scope = TensorScope.Begin();
        var x = new Var(Ops.Normal(new Shape(4, 6), new RandomGenerator(9), dtype: DType.Float64, device: D), requiresGrad: withPenalty);
        var f = MatMul(LeakyRelu(MatMul(x, w1), 0.2), w2);
        var loss = Mean(f);
        if (withPenalty)
        {
            var g = Gradients.Of([Sum(f)], [x], createGraph: true)[0];
            loss = loss + Mean(Square(Sqrt(Sum(Square(g), axis: 1)) - 1.0)) * 10.0;
        }
        loss.Backward();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RepeatedTrainingStepsDoNotGrowDeviceMemory(bool withPenalty)
    {
        var (w1, w2) = Weights();
        // Two warm-up steps: the first creates the leaf gradients, the second the buffers that
        // accumulation needs while old and new gradients coexist.
        TrainingStep(w1, w2, withPenalty);
        TrainingStep(w1, w2, withPenalty);
        int live = D.LiveTensors;
        long inUse = D.Pool.BytesInUse, allocations = D.Pool.DeviceAllocations;
        for (int i = 0; i < 10; i++) TrainingStep(w1, w2, withPenalty);
        Assert.Equal(live, D.LiveTensors);
        Assert.Equal(inUse, D.Pool.BytesInUse);
        Assert.Equal(allocations, D.Pool.DeviceAllocations);
        w1.Dispose();
        w2.Dispose();
    }

    [Fact]
    public void RepeatedBackwardOfARetainedGraphDoesNotGrowMemory()
    {
        using var scope = TensorScope.Begin();
        var (w1, w2) = Weights();
        var x = new Var(Ops.Normal(new Shape(4, 6), new RandomGenerator(9), dtype: DType.Float64, device: D));
        var loss = Mean(Tanh(MatMul(Tanh(MatMul(x, w1)), w2)));
        loss.Backward(retainGraph: true);
        int live = D.LiveTensors;
        long inUse = D.Pool.BytesInUse;
        for (int i = 0; i < 10; i++) loss.Backward(retainGraph: true);
        Assert.Equal(live, D.LiveTensors);
        Assert.Equal(inUse, D.Pool.BytesInUse);
        w1.Dispose();
        w2.Dispose();
    }

    [Fact]
    public void BackwardFreesItsIntermediateGradients()
    {
        using var scope = TensorScope.Begin();
        var x = new Var(Ops.Normal(new Shape(64, 64), new RandomGenerator(1), dtype: DType.Float64, device: D).Detach(), requiresGrad: true);
        var y = Sum(Exp(Tanh(Exp(Tanh(x)))));
        int before = D.LiveTensors;
        y.Backward();
        // Only the leaf's gradient remains; every intermediate gradient was freed as it was consumed.
        Assert.Equal(before + 1, D.LiveTensors);
        x.Dispose();
    }
}
