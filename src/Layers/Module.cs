using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>A set of parameters optimised together (e.g. the mapping network at a fraction of the generator's rate).</summary>
/// <param name="Name">Name of the group, for logs and checkpoints.</param>
/// <param name="Parameters">The parameters with their dotted names.</param>
/// <param name="LearningRateFactor">Multiplies the optimiser's learning rate for this group.</param>
public sealed record ParameterGroup(string Name, IReadOnlyList<(string Name, Var Parameter)> Parameters, double LearningRateFactor = 1);

/// <summary>
/// A network component owning named parameters and child modules. Names compose with dots
/// (<c>block2.conv1.weight</c>) and follow PyTorch's conventions, so a checkpoint maps one-to-one onto
/// a PyTorch model of the same architecture. Parameters are leaves with detached tensors: they live
/// until the module is disposed, whatever scopes come and go.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Var Parameter)> _parameters = [];
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>False after <see cref="Eval"/>; layers that behave differently in training may consult it.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a parameter (takes ownership of <paramref name="value"/>).</summary>
    protected Var AddParameter(string name, Tensor value)
    {
        CheckName(name);
        var p = new Var(value.Detach(), requiresGrad: true, name);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T AddModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"parameter or module name '{name}' must be non-empty and contain no '.'");
        if (_parameters.Any(p => p.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"name '{name}' is already registered in {GetType().Name}");
    }

    /// <summary>Every parameter with its dotted name, depth first in registration order.</summary>
    public IEnumerable<(string Name, Var Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(prefix + name + ".")) yield return item;
    }

    /// <summary>The parameters without names.</summary>
    public IReadOnlyList<Var> Parameters() => NamedParameters().Select(p => p.Parameter).ToArray();

    /// <summary>Number of trainable scalars (biases included).</summary>
    public long ParameterCount => NamedParameters().Sum(p => (long)p.Parameter.Shape.Numel);

    /// <summary>The parameters whose dotted names start with <paramref name="prefix"/>, as a group.</summary>
    public ParameterGroup Group(string name, string prefix = "", double learningRateFactor = 1) =>
        new(name, NamedParameters().Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).ToArray(), learningRateFactor);

    /// <summary>Direct children with their names.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => _children;

    /// <summary>Training mode for this module and its children.</summary>
    public void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in _children) child.Train(training);
    }

    /// <summary>Evaluation mode (<c>Train(false)</c>).</summary>
    public void Eval() => Train(false);

    /// <summary>Frees every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters()) p.ZeroGrad();
    }

    /// <summary>The parameter tensors by dotted name (the live tensors, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data);

    /// <summary>
    /// Copies <paramref name="state"/> into the parameters. Every parameter must be present with its
    /// exact shape, and no extra entry may exist; the error names the offending tensors and
    /// <paramref name="source"/> (a file name, say). Dtypes are converted.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source = "state dict")
    {
        var own = NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToArray();
        var extra = state.Keys.Where(k => !own.ContainsKey(k)).ToArray();
        var wrong = own.Where(p => state.TryGetValue(p.Key, out var t) && !t.Shape.Equals(p.Value.Shape))
            .Select(p => $"{p.Key} is {state[p.Key].Shape} in {source} but {p.Value.Shape} in the model").ToArray();
        var problems = new List<string>();
        if (missing.Length > 0) problems.Add($"missing: {string.Join(", ", missing)}");
        if (extra.Length > 0) problems.Add($"unexpected: {string.Join(", ", extra)}");
        problems.AddRange(wrong);
        if (problems.Count > 0)
            throw new InvalidDataException($"{source} does not fit {GetType().Name}: {string.Join("; ", problems)}");
        foreach (var (name, p) in own)
        {
            using var scope = TensorScope.Begin();
            var t = state[name];
            if (!ReferenceEquals(t.Device, p.Device)) t = Tensor.FromArray(t.ToDoubleArray(), t.Shape, p.Device);
            if (t.DType != p.DType) t = Ops.Cast(t, p.DType);
            Ops.CopyInto(p.Data, t);
        }
    }

    /// <summary>Disposes every parameter (and its gradient) of this module and its children.</summary>
    public void Dispose()
    {
        foreach (var (_, p) in _parameters) p.Dispose();
        foreach (var (_, child) in _children) child.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with one input and one output.</summary>
public abstract class Layer : Module
{
    /// <summary>Applies the layer.</summary>
    public abstract Var Forward(Var x);
}
