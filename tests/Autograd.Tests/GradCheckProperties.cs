using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Autograd.Tests;

/// <summary>
/// Every differentiable op against float64 central differences, over FsCheck-drawn shapes
/// (broadcasting pairs included) and values; second derivatives for every op on the critic's path.
/// Each runs on the default device (the host backend on CI) and on ILGPU's CPU accelerator, so both
/// the fast kernels and the reference kernels are differentiated correctly.
/// </summary>
public class GradCheckProperties
{
    /// <summary>Every op of <see cref="OpTable"/> on both backends.</summary>
    public static IEnumerable<object[]> OpsOnBothBackends() =>
        OpTable.Names.SelectMany(n => new[] { new object[] { n[0], "default" }, [n[0], "ilgpu-cpu"] });

    private static Gen<CaseInput> Cases =>
        from shapes in Gens.BroadcastPair(maxRank: 3, maxExtent: 3)
        from pick in Gen.Choose(0, 200)
        from seed in Gens.Seed
        select new CaseInput(shapes.A, shapes.B, pick, seed);

    private static void CheckFirst(DiffOp op, CaseInput c)
    {
        using var scope = TensorScope.Begin();
        var (inputs, f) = op.Make(c);
        var r = GradCheck.Check(f, inputs);
        Assert.True(r.Passed, $"{op.Name} {string.Join(" ", inputs.Select(i => i.Shape))}: {r.Worst}");
    }

    private static void CheckSecond(DiffOp op, CaseInput c)
    {
        using var scope = TensorScope.Begin();
        var (inputs, f) = op.Make(c);
        var r = GradCheck.CheckSecondOrder(f, inputs);
        Assert.True(r.Passed, $"{op.Name} second order {string.Join(" ", inputs.Select(i => i.Shape))}: {r.Worst}");
    }

    [Theory]
    [MemberData(nameof(OpsOnBothBackends))]
    public void FirstDerivatives(string name, string device)
    {
        using var on = TestDevice.Use(TestDevice.Named(device));
        var op = OpTable.Named(name);
        Prop.ForAll(Cases.ToArbitrary(), c => CheckFirst(op, c)).Check(Config.QuickThrowOnFailure.WithMaxTest(8));
    }

    [Theory]
    [MemberData(nameof(OpsOnBothBackends))]
    public void SecondDerivativesOnTheCriticPath(string name, string device)
    {
        using var on = TestDevice.Use(TestDevice.Named(device));
        var op = OpTable.Named(name);
        if (!op.SecondOrder)
        {
            // Off the critic's path second derivatives are not required, but the first-order rule must
            // give the right gradient when it records a graph (as it does inside the penalty's backward).
            Prop.ForAll(Cases.ToArbitrary(), c =>
            {
                using var scope = TensorScope.Begin();
                var (inputs, f) = op.Make(c);
                var r = GradCheck.Check(f, inputs, createGraph: true);
                Assert.True(r.Passed, $"{op.Name} with createGraph {string.Join(" ", inputs.Select(i => i.Shape))}: {r.Worst}");
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(5));
            return;
        }
        Prop.ForAll(Cases.ToArbitrary(), c => CheckSecond(op, c)).Check(Config.QuickThrowOnFailure.WithMaxTest(5));
    }

    [Fact]
    public void AWrongRuleIsCaught()
    {
        // The checker itself must be able to fail: a deliberately wrong derivative (d/dx x^2 = x).
        using var scope = TensorScope.Begin();
        var x = OpTable.Values(new Random(1), [4]);
        var wrong = GradCheck.Check(xs => Functional.Square(xs[0]) * 0.5 + Functional.Square(xs[0]).DetachGraph() * 0.5, [x]);
        Assert.False(wrong.Passed);
        Assert.Contains("element", wrong.Worst);
        Assert.Throws<GradCheckException>(() => GradCheck.Assert(xs => Functional.Square(xs[0]).DetachGraph() + xs[0], [x], "broken"));
    }

    [Fact]
    public void GradCheckRejectsFloat32Inputs()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros(new Shape(2), DType.Float32, TestDevice.Instance);
        Assert.Throws<ArgumentException>(() => GradCheck.Check(xs => xs[0], [x]));
    }
}
