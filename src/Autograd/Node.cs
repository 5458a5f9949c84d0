namespace VoxelGan.Autograd;

/// <summary>
/// The operation that produced a <see cref="Var"/>: its inputs and its backward rule, which maps the
/// gradient of the output and a mask of the inputs that need a gradient to those inputs' gradients
/// (null where not needed). Rules are written with differentiable operations so the backward pass can
/// itself be differentiated. Most ops give one rule per input (<see cref="PerInput"/>); an op whose
/// gradients share work (recomputation) gives one joint rule.
/// </summary>
internal sealed class Node(string op, Var[] inputs, Func<Var, bool[], Var?[]> rule)
{
    public string Op { get; } = op;

    public Var[] Inputs { get; private set; } = inputs;

    public Func<Var, bool[], Var?[]> Rule { get; private set; } = rule;

    /// <summary>Set by a backward pass that did not retain the graph; the rule (and what it captured) is gone.</summary>
    public bool Released { get; private set; }

    /// <summary>A joint rule that evaluates only the per-input rules whose inputs are needed.</summary>
    public static Func<Var, bool[], Var?[]> PerInput(Func<Var, Var>[] rules) =>
        (g, needed) =>
        {
            var result = new Var?[rules.Length];
            for (int i = 0; i < rules.Length; i++)
                if (needed[i]) result[i] = rules[i](g);
            return result;
        };

    public void Release()
    {
        Released = true;
        Inputs = [];
        Rule = static (_, _) => [];
    }
}
