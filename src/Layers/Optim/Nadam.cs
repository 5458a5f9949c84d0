using System.Globalization;
using VoxelGan.Autograd;
using VoxelGan.Tensors;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Layers;

/// <summary>
/// Nadam with the momentum schedule of Keras and PyTorch (Dozat 2016):
/// mu_t = beta1 (1 - 0.5 * 0.96^(t psi)), m_t = beta1 m + (1 - beta1) g, v_t = beta2 v + (1 - beta2) g^2,
/// theta -= lr [(1 - mu_t) / (1 - prod_{i&lt;=t} mu_i) g + mu_{t+1} / (1 - prod_{i&lt;=t+1} mu_i) m_t] / (sqrt(v_t / (1 - beta2^t)) + eps).
/// Gradients are first unscaled (loss scaling) and clipped to a global norm over all of this
/// optimizer's parameters. Each parameter group has its own learning-rate factor (the mapping network
/// trains at a fraction of the generator's rate).
/// <para>
/// The parameters of a group (of one dtype) are moved into one flat buffer when the optimizer is created (their
/// tensors stay the same objects), with flat gradient and moment buffers beside it, so a step is a few launches
/// whatever the number of parameters: the gradients gathered into the flat buffer (one launch per eight), its sum of
/// squares, one update.
/// The clip factor and the decision to skip a step with non-finite gradients are taken on the device
/// (<see cref="NadamKernels.Update{T, TConv}"/>), so a step needs no host read: <see cref="Queue"/> launches it,
/// and <see cref="Settle"/> tells the optimizer afterwards whether it was applied. <see cref="Step"/> does both
/// with one read.
/// </para>
/// </summary>
public sealed class Nadam : IDisposable
{
    /// <summary>Segments start on 64-byte boundaries (one cache line, one Vector512, coalesced GPU loads).</summary>
    private const int Alignment = 64;

    private readonly List<Arena> _arenas = [];
    private double _muProduct = 1;
    private (double MuProduct, bool Open) _pending;

    /// <summary>Creates the optimizer (moving the parameters into flat buffers); moments start at zero.</summary>
    public Nadam(IEnumerable<ParameterGroup> groups, NadamOptions options)
    {
        Options = options;
        var seen = new HashSet<Var>(ReferenceEqualityComparer.Instance);
        foreach (var group in groups)
            foreach (var byType in group.Parameters.GroupBy(p => (p.Parameter.DType, p.Parameter.Device)))
            {
                foreach (var (name, p) in byType)
                    if (!seen.Add(p)) throw new ArgumentException($"parameter {name} is in more than one group");
                _arenas.Add(new Arena(group, [.. byType]));
            }
    }

    /// <summary>The hyperparameters.</summary>
    public NadamOptions Options { get; }

    /// <summary>
    /// A schedule's factor on every group's learning rate for the steps queued from now on (1: the rate of
    /// <see cref="Options"/>). Not part of the state: the schedule's owner sets it before each step.
    /// </summary>
    public double LearningRateScale
    {
        get => _learningRateScale;
        set => _learningRateScale = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a learning-rate factor must be non-negative");
    }

    private double _learningRateScale = 1;

    /// <summary>Number of steps taken (t of the last step).</summary>
    public long Steps { get; private set; }

    /// <summary>Every parameter with its name and moments, group by group.</summary>
    private IEnumerable<(string Name, Var Parameter, long Offset, Tensor M, Tensor V)> Parameters => _arenas.SelectMany(a => a.Members);

    /// <summary>mu_t of the schedule.</summary>
    public double Mu(long t) => Options.Beta1 * (1 - 0.5 * Math.Pow(0.96, t * Options.MomentumDecay));

    /// <summary>
    /// The float64 sum of squares of this optimizer's raw gradients, as a rank-0 tensor on the device (in the
    /// current scope), without a host read: the flat path copies each gradient into the group's flat buffer and
    /// reduces that once. It is infinite or NaN exactly when a gradient element is (or its square overflows float64).
    /// </summary>
    public Tensor SumOfSquares()
    {
        using var scope = TensorScope.Begin();
        Tensor? total = null;
        foreach (var part in _arenas.SelectMany(a => a.SquareSums()))
            total = total is null ? part : Ops.Add(total, part);
        var device = Parameters.FirstOrDefault().Parameter?.Device ?? Device.Default;
        return (total ?? Tensor.Zeros(Shape.Scalar, DType.Float64, device)).MoveToOuter();
    }

    /// <summary>
    /// Launches one step for every parameter that has a gradient, gated on the device by <paramref name="gate"/>
    /// (float64 sums of squares from <see cref="SumOfSquares"/>: the step is skipped when any entry is not finite;
    /// entry <paramref name="own"/> is this optimizer's and sets the clip factor). <paramref name="gradScale"/>
    /// (positive) multiplies the raw gradients first (1 / loss scale); <paramref name="direction"/> says whether
    /// the step descends or ascends the stored gradient. The step counter advances now; call <see cref="Settle"/>
    /// once the gate has been read to confirm the step or take the counter back.
    /// </summary>
    public void Queue(Tensor gate, int own, double gradScale = 1, StepDirection direction = StepDirection.Descend)
    {
        if (!(gradScale > 0)) throw new ArgumentOutOfRangeException(nameof(gradScale), gradScale, "the gradient scale must be positive; use StepDirection.Ascend to flip the step");
        if (_pending.Open) throw new InvalidOperationException("Nadam.Queue: the previous step was not settled");
        _pending = (_muProduct, true);
        long t = ++Steps;
        double mu = Mu(t), muNext = Mu(t + 1);
        _muProduct *= mu;
        double signedScale = direction == StepDirection.Ascend ? -gradScale : gradScale;
        foreach (var arena in _arenas)
        {
            double lr = Options.LearningRate * LearningRateScale * arena.Group.LearningRateFactor;
            arena.Update(new NadamCoefficients(
                signedScale, Options.Beta1, Options.Beta2, 1 - Math.Pow(Options.Beta2, t), Options.Epsilon,
                -lr * (1 - mu) / (1 - _muProduct), -lr * muNext / (1 - _muProduct * muNext), Options.ClipNorm), gate, own);
        }
    }

    /// <summary>
    /// Confirms the queued step (<paramref name="applied"/>: the gate was finite) or, when the device skipped it,
    /// takes the step counter and the momentum schedule back to where they were before <see cref="Queue"/>.
    /// </summary>
    public void Settle(bool applied)
    {
        if (!_pending.Open) throw new InvalidOperationException("Nadam.Settle: no step is queued");
        if (!applied)
        {
            Steps--;
            _muProduct = _pending.MuProduct;
        }
        _pending = (0, false);
    }

    /// <summary>
    /// <see cref="SumOfSquares"/>, <see cref="Queue"/> gated by it alone and <see cref="Settle"/>, with one host read.
    /// Returns the global norm of the unscaled gradients before clipping; when it is not finite the step was skipped.
    /// </summary>
    public double Step(double gradScale = 1, StepDirection direction = StepDirection.Descend)
    {
        using var scope = TensorScope.Begin();
        var sum = SumOfSquares();
        Queue(sum, 0, gradScale, direction);
        double s = sum.Item();
        Settle(double.IsFinite(s));
        return gradScale * Math.Sqrt(s);
    }

    /// <summary>
    /// The state as named tensors for a checkpoint: <c>{prefix}step</c>, <c>{prefix}mu_product</c>
    /// (float64 scalars, owned by the returned state) and <c>{prefix}m.{parameter}</c>,
    /// <c>{prefix}v.{parameter}</c> (the live moments). Dispose the result after writing it.
    /// </summary>
    public OptimizerState StateDict(string prefix)
    {
        var device = Parameters.FirstOrDefault().Parameter?.Device;
        var state = new OptimizerState();
        state.AddOwned(prefix + "step", Tensor.FromArray(new[] { (double)Steps }, Shape.Scalar, device).Detach());
        state.AddOwned(prefix + "mu_product", Tensor.FromArray(new[] { _muProduct }, Shape.Scalar, device).Detach());
        foreach (var (name, _, _, m, v) in Parameters)
        {
            state.AddLive(prefix + "m." + name, m);
            state.AddLive(prefix + "v." + name, v);
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
        foreach (var (name, p, _, m, v) in Parameters)
        {
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
        string.Create(CultureInfo.InvariantCulture, $"Nadam(lr {Options.LearningRate}, beta1 {Options.Beta1}, beta2 {Options.Beta2}, eps {Options.Epsilon}, clip {Options.ClipNorm}, {Parameters.Count()} parameters, step {Steps})");

    /// <summary>Frees the flat buffers' views and the optimizer's references to them (the parameters keep theirs).</summary>
    public void Dispose()
    {
        foreach (var arena in _arenas) arena.Dispose();
        _arenas.Clear();
    }

    /// <summary>
    /// The parameters of one group and dtype in one flat buffer, with flat gradient and moment buffers of the same
    /// layout. Segments are aligned; the padding between them is zero in every buffer and never written.
    /// </summary>
    private sealed class Arena : IDisposable
    {
        private readonly Tensor _theta, _grad, _m, _v;

        public Arena(ParameterGroup group, IReadOnlyList<(string Name, Var Parameter)> parameters)
        {
            Group = group;
            var first = parameters[0].Parameter;
            int align = Math.Max(1, Alignment / first.DType.Size());
            var offsets = new long[parameters.Count];
            long total = 0;
            for (int i = 0; i < parameters.Count; i++)
            {
                offsets[i] = total;
                total += (parameters[i].Parameter.Shape.Numel + align - 1) / align * align;
            }
            var flat = new Shape(checked((int)Math.Max(total, 1)));
            _theta = Tensor.Zeros(flat, first.DType, first.Device).Detach();
            _grad = Tensor.Zeros(flat, first.DType, first.Device).Detach();
            _m = Tensor.Zeros(flat, first.DType, first.Device).Detach();
            _v = Tensor.Zeros(flat, first.DType, first.Device).Detach();
            for (int i = 0; i < parameters.Count; i++)
            {
                var (name, p) = parameters[i];
                p.Data.RelocateInto(_theta, offsets[i]);
                Members.Add((name, p, offsets[i], _m.Segment(offsets[i], p.Shape).Detach(), _v.Segment(offsets[i], p.Shape).Detach()));
            }
        }

        public ParameterGroup Group { get; }

        /// <summary>Each parameter with its element offset in the flat buffers and its moments' segments.</summary>
        public List<(string Name, Var Parameter, long Offset, Tensor M, Tensor V)> Members { get; } = [];

        /// <summary>Every member has a gradient: the flat path applies (one gather of the gradients, one reduction, one update).</summary>
        private bool Complete => Members.All(m => m.Parameter.Grad is not null);

        /// <summary>
        /// Float64 sums of squares whose total is the members' gradients' (none when no member has a gradient): one of
        /// the flat buffer, or, when some parameters received no gradient, one per gradient, since those parameters are
        /// left alone (as in PyTorch) and the flat buffer is not used.
        /// </summary>
        public IEnumerable<Tensor> SquareSums()
        {
            if (!Complete) return Members.Where(m => m.Parameter.Grad is not null).Select(m => Ops.SumOfSquares(m.Parameter.Grad!)).ToList();
            Ops.GatherInto(_grad, Members.Select(m => (m.Parameter.Grad!, m.Offset)).ToArray());
            return [Ops.SumOfSquares(_grad)];
        }

        public void Update(NadamCoefficients c, Tensor gate, int own)
        {
            if (Complete)
            {
                Ops.NadamUpdate(_theta, _grad, _m, _v, c, gate, own);
                return;
            }
            foreach (var member in Members.Where(m => m.Parameter.Grad is not null))
                Ops.NadamUpdate(member.Parameter.Data, member.Parameter.Grad!, member.M, member.V, c, gate, own);
        }

        public void Dispose()
        {
            foreach (var member in Members) { member.M.Dispose(); member.V.Dispose(); }
            Members.Clear();
            foreach (var t in new[] { _theta, _grad, _m, _v }) t.Dispose();
        }
    }
}
