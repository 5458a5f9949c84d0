using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

/// <summary>The outcome of a gradient check.</summary>
/// <param name="Passed">Every element within tolerance.</param>
/// <param name="Checked">Number of input elements compared.</param>
/// <param name="Worst">Description of the element that came closest to (or furthest past) the tolerance.</param>
/// <param name="WorstExcess">|analytic - numeric| - (atol + rtol |numeric|) at that element (negative when passing).</param>
public sealed record GradCheckResult(bool Passed, int Checked, string Worst, double WorstExcess);

/// <summary>Thrown by <see cref="GradCheck.Assert"/> and <see cref="GradCheck.AssertSecondOrder"/>.</summary>
public sealed class GradCheckException(string message) : Exception(message);

/// <summary>
/// Finite-difference verification of backward rules, as PyTorch's <c>gradcheck</c>: in float64, the
/// analytic gradient of s(x) = &lt;f(x), v&gt; (v a fixed random weighting of the outputs, so every
/// Jacobian entry contributes) is compared with central differences
/// (s(x + eps e_i) - s(x - eps e_i)) / (2 eps) for every input element i. An element passes when
/// |analytic - numeric| &lt;= atol + rtol |numeric|. Defaults: eps 1e-6, atol 1e-5, rtol 1e-3.
/// Inputs should stay away from kinks (LeakyReLU at 0, ties of max) where the derivative jumps.
/// </summary>
public static class GradCheck
{
    /// <summary>Default step of the central differences.</summary>
    public const double DefaultEps = 1e-6;

    /// <summary>Default absolute tolerance.</summary>
    public const double DefaultAtol = 1e-5;

    /// <summary>Default relative tolerance.</summary>
    public const double DefaultRtol = 1e-3;

    /// <summary>
    /// Checks first derivatives of <paramref name="f"/> at <paramref name="inputs"/> (float64 tensors, not
    /// modified). With <paramref name="createGraph"/> the analytic gradient is computed as the gradient
    /// penalty computes it, recording its own graph.
    /// </summary>
    public static GradCheckResult Check(Func<Var[], Var> f, IReadOnlyList<Tensor> inputs,
        double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol, ulong seed = 12345, bool createGraph = false)
    {
        foreach (var t in inputs)
            if (t.DType != DType.Float64)
                throw new ArgumentException($"gradient checks need float64 inputs, got {t}");
        using var scope = TensorScope.Begin();
        var hostInputs = inputs.Select(t => t.ToArray<double>()).ToArray();

        // Analytic: one backward pass of s = <f(x), v>.
        var leaves = inputs.Select(t => new Var(Ops.Clone(t), requiresGrad: true)).ToArray();
        var y = f(leaves);
        var weights = OutputWeights(y.Shape, seed, y.Device);
        var s = Functional.Sum(y * new Var(weights));
        var analytic = Gradients.Of([s], leaves, createGraph: createGraph).Select(g => g.Data.ToArray<double>()).ToArray();

        // Numeric: central differences of s, one input element at a time. The inputs are
        // differentiable leaves because f may itself take gradients (the second-order check does).
        double Evaluate(int which, int element, double delta)
        {
            using var inner = TensorScope.Begin();
            var args = new Var[inputs.Count];
            for (int k = 0; k < inputs.Count; k++)
            {
                var values = hostInputs[k];
                if (k == which) { values = (double[])values.Clone(); values[element] += delta; }
                args[k] = new Var(Tensor.FromArray(values, inputs[k].Shape, inputs[k].Device), requiresGrad: true);
            }
            var output = f(args);
            return Ops.Sum(Ops.Mul(output.Data, weights)).Item();
        }

        int count = 0;
        double worstExcess = double.NegativeInfinity;
        string worst = "no input elements";
        for (int k = 0; k < inputs.Count; k++)
        {
            for (int i = 0; i < hostInputs[k].Length; i++)
            {
                double numeric = (Evaluate(k, i, eps) - Evaluate(k, i, -eps)) / (2 * eps);
                double a = analytic[k][i];
                double excess = Math.Abs(a - numeric) - (atol + rtol * Math.Abs(numeric));
                if (double.IsNaN(excess)) excess = double.PositiveInfinity;
                count++;
                if (excess > worstExcess)
                {
                    worstExcess = excess;
                    worst = $"input {k} {inputs[k].Shape} element {i}: analytic {a:G10}, numeric {numeric:G10}";
                }
            }
        }
        return new GradCheckResult(worstExcess <= 0, count, worst, worstExcess);
    }

    /// <summary>
    /// Checks second derivatives: the first-order check of x -&gt; &lt;Grad(&lt;f(x), u&gt;, x, createGraph), w&gt;
    /// for fixed random u and w (PyTorch's <c>gradgradcheck</c>).
    /// </summary>
    public static GradCheckResult CheckSecondOrder(Func<Var[], Var> f, IReadOnlyList<Tensor> inputs,
        double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol, ulong seed = 12345)
    {
        Var FirstDerivativeProjection(Var[] xs)
        {
            var y = f(xs);
            var u = new Var(OutputWeights(y.Shape, seed + 1, y.Device));
            var grads = Gradients.Of([Functional.Sum(y * u)], xs, createGraph: true);
            Var? total = null;
            for (int k = 0; k < xs.Length; k++)
            {
                var w = new Var(OutputWeights(xs[k].Shape, seed + 2 + (ulong)k, xs[k].Device));
                var term = Functional.Sum(grads[k] * w);
                total = total is null ? term : total + term;
            }
            return total!;
        }
        return Check(FirstDerivativeProjection, inputs, eps, atol, rtol, seed);
    }

    /// <summary>Runs <see cref="Check"/> and throws a <see cref="GradCheckException"/> naming the worst element on failure.</summary>
    public static void Assert(Func<Var[], Var> f, IReadOnlyList<Tensor> inputs, string what = "function",
        double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol)
    {
        var r = Check(f, inputs, eps, atol, rtol);
        if (!r.Passed) throw new GradCheckException($"first derivatives of {what} are wrong: {r.Worst}");
    }

    /// <summary>Runs <see cref="CheckSecondOrder"/> and throws on failure.</summary>
    public static void AssertSecondOrder(Func<Var[], Var> f, IReadOnlyList<Tensor> inputs, string what = "function",
        double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol)
    {
        var r = CheckSecondOrder(f, inputs, eps, atol, rtol);
        if (!r.Passed) throw new GradCheckException($"second derivatives of {what} are wrong: {r.Worst}");
    }

    private static Tensor OutputWeights(Shape shape, ulong seed, Device device) =>
        Ops.Normal(shape, new RandomGenerator(seed), dtype: DType.Float64, device: device);
}
