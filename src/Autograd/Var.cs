using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

/// <summary>
/// A differentiable value: a <see cref="Tensor"/> plus, when it was computed from values that require
/// gradients, the operation that produced it. Leaves created with <c>requiresGrad: true</c> receive
/// gradients in <see cref="Grad"/> from <see cref="Backward"/>; <see cref="Gradients.Of(IReadOnlyList{Var}, IReadOnlyList{Var}, IReadOnlyList{Var}?, bool, bool?)"/>
/// returns gradients as new Vars (with a graph of their own when asked, for the gradient penalty).
/// The data tensor follows the usual tensor ownership rules (scopes or <c>using</c>).
/// </summary>
public sealed class Var : IDisposable
{
    /// <summary>Wraps <paramref name="data"/> as a leaf.</summary>
    public Var(Tensor data, bool requiresGrad = false, string? name = null)
    {
        Data = data ?? throw new ArgumentNullException(nameof(data));
        RequiresGrad = requiresGrad;
        Name = name;
    }

    /// <summary>The value.</summary>
    public Tensor Data { get; }

    /// <summary>Whether gradients flow to or through this value.</summary>
    public bool RequiresGrad { get; }

    /// <summary>An optional name used in error messages.</summary>
    public string? Name { get; }

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/> (leaves only). It has the owner of
    /// <see cref="Data"/>: a parameter created with a detached tensor keeps its gradient across step
    /// scopes until <see cref="ZeroGrad"/> or disposal; a leaf made inside a scope loses it with the scope.
    /// </summary>
    public Tensor? Grad { get; internal set; }

    internal Node? Node { get; private set; }

    /// <summary>True for values not produced by a recorded operation.</summary>
    public bool IsLeaf => Node is null;

    /// <summary>Shape of <see cref="Data"/>.</summary>
    public Shape Shape => Data.Shape;

    /// <summary>Element type of <see cref="Data"/>.</summary>
    public DType DType => Data.DType;

    /// <summary>Device of <see cref="Data"/>.</summary>
    public Device Device => Data.Device;

    /// <summary>
    /// Wraps the result of a tensor operation. When grad mode is on and an input requires gradients,
    /// records one backward rule per input (<paramref name="rules"/>[i] maps the output gradient to
    /// input i's gradient). This is how every op in <see cref="Functional"/> is defined, and how users
    /// add their own: write each rule with differentiable operations (then second derivatives work)
    /// and check it with <see cref="GradCheck"/>. A rule must return a new Var (use
    /// <see cref="Functional.Alias"/> to pass a gradient through unchanged).
    /// </summary>
    /// <example><code>
    /// Var Cube(Var x) => Var.Record(Ops.PowScalar(x.Data, 3), "cube", [x], g => g * Functional.Square(x) * 3.0);
    /// </code></example>
    public static Var Record(Tensor data, string op, Var[] inputs, params Func<Var, Var>[] rules)
    {
        if (rules.Length != inputs.Length)
            throw new InvalidOperationException($"{op}: {inputs.Length} inputs but {rules.Length} backward rules");
        return RecordJoint(data, op, inputs, Node.PerInput(rules));
    }

    /// <summary>
    /// Like <see cref="Record(Tensor, string, Var[], Func{Var, Var}[])"/>, for rules that need the op's
    /// own output y as well as the output gradient g (d exp(x) = g y, d sqrt(x) = g / 2y): each rule is
    /// called as rule(g, y).
    /// </summary>
    public static Var Record(Tensor data, string op, Var[] inputs, params Func<Var, Var, Var>[] rules)
    {
        Var? output = null;
        output = Record(data, op, inputs, [.. rules.Select(rule => (Func<Var, Var>)(g => rule(g, output!)))]);
        return output;
    }

    /// <summary>
    /// Like <see cref="Record(Tensor, string, Var[], Func{Var, Var}[])"/>, with one rule for all inputs: given the output gradient and which
    /// inputs need a gradient, it returns those gradients (null elsewhere). For ops whose input
    /// gradients share work, such as <see cref="Functional.Recompute"/>.
    /// </summary>
    public static Var RecordJoint(Tensor data, string op, Var[] inputs, Func<Var, bool[], Var?[]> rule)
    {
        bool track = GradMode.Enabled && inputs.Any(i => i.RequiresGrad);
        var v = new Var(data, track);
        if (track) v.Node = new Node(op, inputs, rule);
        return v;
    }

    /// <summary>
    /// Computes gradients of this value with respect to every leaf that requires them and adds them
    /// to the leaves' <see cref="Grad"/>. A non-scalar value needs <paramref name="gradOutput"/>. The
    /// graph is released afterwards unless <paramref name="retainGraph"/>.
    /// </summary>
    public void Backward(Var? gradOutput = null, bool retainGraph = false) =>
        Engine.Backward(this, gradOutput, retainGraph);

    /// <summary>Frees <see cref="Grad"/>.</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>A leaf sharing this value's storage, cut from the graph.</summary>
    public Var DetachGraph() => new(Data.Reshape(Shape.ToArray()));

    /// <summary>The value of a one-element Var.</summary>
    public double Item() => Data.Item();

    /// <summary>Disposes the data and the accumulated gradient.</summary>
    public void Dispose()
    {
        Data.Dispose();
        ZeroGrad();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Var({(Name is null ? "" : Name + ", ")}{Data.DType.Name()}, {Shape}{(Node is null ? "" : ", " + Node.Op)}{(RequiresGrad ? ", grad" : "")})";

#pragma warning disable CS1591 // arithmetic operators: the usual meaning, with broadcasting
    public static Var operator +(Var a, Var b) => Functional.Add(a, b);
    public static Var operator -(Var a, Var b) => Functional.Sub(a, b);
    public static Var operator *(Var a, Var b) => Functional.Mul(a, b);
    public static Var operator /(Var a, Var b) => Functional.Div(a, b);
    public static Var operator -(Var a) => Functional.Neg(a);
    public static Var operator +(Var a, double s) => Functional.AddScalar(a, s);
    public static Var operator +(double s, Var a) => Functional.AddScalar(a, s);
    public static Var operator -(Var a, double s) => Functional.AddScalar(a, -s);
    public static Var operator -(double s, Var a) => Functional.AddScalar(Functional.Neg(a), s);
    public static Var operator *(Var a, double s) => Functional.MulScalar(a, s);
    public static Var operator *(double s, Var a) => Functional.MulScalar(a, s);
    public static Var operator /(Var a, double s) => Functional.MulScalar(a, 1 / s);
    public static Var operator /(double s, Var a) => Functional.RDivScalar(s, a);
#pragma warning restore CS1591
}
