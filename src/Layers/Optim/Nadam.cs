using System.Globalization;
using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>
/// Nadam with the momentum schedule of Keras and PyTorch (Dozat 2016):
/// mu_t = beta1 (1 - 0.5 * 0.96^(t psi)), m_t = beta1 m + (1 - beta1) g, v_t = beta2 v + (1 - beta2) g^2,
/// theta -= lr [(1 - mu_t) / (1 - prod_{i&lt;=t} mu_i) g + mu_{t+1} / (1 - prod_{i&lt;=t+1} mu_i) m_t] / (sqrt(v_t / (1 - beta2^t)) + eps).
/// Gradients are first unscaled (loss scaling) and clipped to a global norm over all of this
/// optimizer's parameters. Each parameter group has its own learning-rate factor (the mapping network
/// trains at a fraction of the generator's rate). The update is one device kernel per parameter;
/// moments have the parameter's dtype and live until the optimizer is disposed.
/// </summary>
public sealed class Nadam : IDisposable
{
    private readonly List<(ParameterGroup Group, string Name, Var Parameter)> _parameters = [];
    private readonly Dictionary<Var, (Tensor M, Tensor V)> _moments = new(ReferenceEqualityComparer.Instance);
    private double _muProduct = 1;

    /// <summary>Creates the optimizer; moments start at zero.</summary>
    public Nadam(IEnumerable<ParameterGroup> groups, NadamOptions options)
    {
        Options = options;
        foreach (var group in groups)
            foreach (var (name, p) in group.Parameters)
            {
                if (_moments.ContainsKey(p)) throw new ArgumentException($"parameter {name} is in more than one group");
                _parameters.Add((group, name, p));
                _moments[p] = (Tensor.Zeros(p.Shape, p.DType, p.Device).Detach(), Tensor.Zeros(p.Shape, p.DType, p.Device).Detach());
            }
    }

    /// <summary>The hyperparameters.</summary>
    public NadamOptions Options { get; }

    /// <summary>Number of steps taken (t of the last step).</summary>
    public long Steps { get; private set; }

    /// <summary>The gradients currently held by this optimizer's parameters.</summary>
    public IEnumerable<Tensor> Gradients() => _parameters.Where(p => p.Parameter.Grad is not null).Select(p => p.Parameter.Grad!);

    /// <summary>mu_t of the schedule.</summary>
    public double Mu(long t) => Options.Beta1 * (1 - 0.5 * Math.Pow(0.96, t * Options.MomentumDecay));

    /// <summary>
    /// Applies one step to every parameter that has a gradient. <paramref name="gradScale"/> (positive)
    /// multiplies the raw gradients first (1 / loss scale); <paramref name="direction"/> says whether the
    /// step descends or ascends the stored gradient. Returns the global norm of the unscaled gradients,
    /// before clipping.
    /// </summary>
    public double Step(double gradScale = 1, StepDirection direction = StepDirection.Descend)
    {
        if (!(gradScale > 0)) throw new ArgumentOutOfRangeException(nameof(gradScale), gradScale, "the gradient scale must be positive; use StepDirection.Ascend to flip the step");
        var withGrad = _parameters.Where(p => p.Parameter.Grad is not null).ToArray();
        double norm = gradScale * GradientClipping.GlobalNorm(withGrad.Select(p => p.Parameter.Grad!));
        double scale = (direction == StepDirection.Ascend ? -1 : 1) * gradScale * GradientClipping.Factor(norm, Options.ClipNorm);
        long t = ++Steps;
        double mu = Mu(t), muNext = Mu(t + 1);
        _muProduct *= mu;
        foreach (var (group, _, p) in withGrad)
        {
            double lr = Options.LearningRate * group.LearningRateFactor;
            var (m, v) = _moments[p];
            Ops.NadamUpdate(p.Data, p.Grad!, m, v, new NadamCoefficients(
                scale, Options.Beta1, Options.Beta2, 1 - Math.Pow(Options.Beta2, t), Options.Epsilon,
                -lr * (1 - mu) / (1 - _muProduct), -lr * muNext / (1 - _muProduct * muNext)));
        }
        return norm;
    }

    /// <summary>
    /// The state as named tensors for a checkpoint: <c>{prefix}step</c>, <c>{prefix}mu_product</c>
    /// (float64 scalars, owned by the returned state) and <c>{prefix}m.{parameter}</c>,
    /// <c>{prefix}v.{parameter}</c> (the live moments). Dispose the result after writing it.
    /// </summary>
    public OptimizerState StateDict(string prefix)
    {
        var device = _parameters.FirstOrDefault().Parameter?.Device;
        var state = new OptimizerState();
        state.AddOwned(prefix + "step", Tensor.FromArray(new[] { (double)Steps }, Shape.Scalar, device).Detach());
        state.AddOwned(prefix + "mu_product", Tensor.FromArray(new[] { _muProduct }, Shape.Scalar, device).Detach());
        foreach (var (_, name, p) in _parameters)
        {
            state.AddLive(prefix + "m." + name, _moments[p].M);
            state.AddLive(prefix + "v." + name, _moments[p].V);
        }
        return state;
    }

    /// <summary>Restores <see cref="StateDict"/>'s entries; every one must be present with the right shape.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string prefix, string source)
    {
        Tensor Get(string key, Shape shape)
        {
            if (!state.TryGetValue(prefix + key, out var t))
                throw new InvalidDataException($"{source}: optimizer state '{prefix + key}' is missing");
            if (!t.Shape.Equals(shape))
                throw new InvalidDataException($"{source}: optimizer state '{prefix + key}' is {t.Shape}, expected {shape}");
            return t;
        }
        double steps = Get("step", Shape.Scalar).Item();
        _muProduct = Get("mu_product", Shape.Scalar).Item();
        Steps = (long)steps;
        foreach (var (_, name, p) in _parameters)
        {
            var (m, v) = _moments[p];
            using var scope = TensorScope.Begin();
            Ops.CopyInto(m, Converted(Get("m." + name, p.Shape), m));
            Ops.CopyInto(v, Converted(Get("v." + name, p.Shape), v));
        }
    }

    private static Tensor Converted(Tensor t, Tensor like)
    {
        if (!ReferenceEquals(t.Device, like.Device)) t = Tensor.FromArray(t.ToDoubleArray(), t.Shape, like.Device);
        return t.DType == like.DType ? t : Ops.Cast(t, like.DType);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Nadam(lr {Options.LearningRate}, beta1 {Options.Beta1}, beta2 {Options.Beta2}, eps {Options.Epsilon}, clip {Options.ClipNorm}, {_parameters.Count} parameters, step {Steps})");

    /// <summary>Frees the moments.</summary>
    public void Dispose()
    {
        foreach (var (m, v) in _moments.Values) { m.Dispose(); v.Dispose(); }
        _moments.Clear();
    }
}
