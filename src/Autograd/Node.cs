namespace VoxelGan.Autograd;

/// <summary>
/// The operation that produced a <see cref="Var"/>: its inputs and one backward rule per input.
/// Rule i maps the gradient of the output to the gradient of input i, written with differentiable
/// operations so the backward pass can itself be differentiated.
/// </summary>
internal sealed class Node(string op, Var[] inputs, Func<Var, Var>[] rules)
{
    public string Op { get; } = op;

    public Var[] Inputs { get; private set; } = inputs;

    public Func<Var, Var>[] Rules { get; private set; } = rules;

    /// <summary>Set by a backward pass that did not retain the graph; the rules (and what they captured) are gone.</summary>
    public bool Released { get; private set; }

    public void Release()
    {
        Released = true;
        Inputs = [];
        Rules = [];
    }
}
