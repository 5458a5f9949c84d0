using VoxelGan.Tensors;

namespace VoxelGan.Autograd;

/// <summary>
/// Reverse-mode differentiation over the recorded graph. Vars are visited in reverse topological
/// order; a rule runs only when its input leads to a requested target. Without
/// <c>createGraph</c>, rules run with grad mode off and every intermediate gradient is freed as soon
/// as it has been passed on, so a backward pass holds little more device memory than its result.
/// </summary>
internal static class Engine
{
    private static readonly ReferenceEqualityComparer ByReference = ReferenceEqualityComparer.Instance;

    public static void Backward(Var output, Var? gradOutput, bool retainGraph)
    {
        if (!output.RequiresGrad)
            throw new InvalidOperationException($"Backward on {output}: it does not depend on any value that requires a gradient");
        var (grads, owned) = Run([output], [gradOutput], targets: null, createGraph: false, retainGraph);
        foreach (var (leaf, g) in grads)
        {
            // A leaf's gradient lives as long as the leaf's value: detached for parameters, in the
            // step's scope for temporaries such as the gradient penalty's interpolated input.
            var data = (owned.Contains(g) ? g.Data : Ops.Clone(g.Data)).MoveToScopeOf(leaf.Data);
            if (leaf.Grad is null)
            {
                leaf.Grad = data;
                continue;
            }
            var sum = Ops.Add(leaf.Grad, data).MoveToScopeOf(leaf.Data);
            leaf.Grad.Dispose();
            data.Dispose();
            leaf.Grad = sum;
        }
    }

    public static Var[] Grad(IReadOnlyList<Var> outputs, IReadOnlyList<Var> inputs, IReadOnlyList<Var?>? gradOutputs,
        bool createGraph, bool retainGraph)
    {
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Grad: {outputs.Count} outputs but {gradOutputs.Count} output gradients");
        var targets = new HashSet<Var>(inputs, ByReference);
        var (grads, _) = Run(outputs, gradOutputs ?? new Var?[outputs.Count], targets, createGraph, retainGraph);
        return inputs.Select(x => grads.TryGetValue(x, out var g) ? g : new Var(Tensor.Zeros(x.Shape, x.DType, x.Device))).ToArray();
    }

    private static (Dictionary<Var, Var> Grads, HashSet<Var> Owned) Run(IReadOnlyList<Var> outputs, IReadOnlyList<Var?> gradOutputs,
        HashSet<Var>? targets, bool createGraph, bool retainGraph)
    {
        var order = TopologicalOrder(outputs);
        bool IsTarget(Var v) => targets?.Contains(v) ?? (v.IsLeaf && v.RequiresGrad);

        // A var is needed when it is a target or one of its inputs is; inputs precede users in `order`.
        var needed = new HashSet<Var>(ByReference);
        foreach (var v in order)
            if (IsTarget(v) || (v.Node is { } n && n.Inputs.Any(needed.Contains))) needed.Add(v);

        var grads = new Dictionary<Var, Var>(ByReference);
        var owned = new HashSet<Var>(ByReference);
        for (int k = 0; k < outputs.Count; k++)
        {
            var y = outputs[k];
            if (!y.RequiresGrad && !IsTarget(y)) continue;
            var g = gradOutputs[k];
            if (g is null)
            {
                if (y.Shape.Numel != 1)
                    throw new ShapeException($"the gradient of non-scalar output {y} must be given explicitly");
                g = new Var(Tensor.Full(y.Shape, 1, y.DType, y.Device));
                owned.Add(g);
            }
            Shape.CheckSame(y.Shape, g.Shape, "output gradient");
            Accumulate(grads, owned, y, g, createGraph);
        }

        using (GradMode.Set(createGraph))
        {
            for (int idx = order.Count - 1; idx >= 0; idx--)
            {
                var v = order[idx];
                if (!grads.TryGetValue(v, out var g)) continue;
                if (v.Node is { } node && needed.Contains(v))
                {
                    var mask = node.Inputs.Select(needed.Contains).ToArray();
                    var results = ApplyRule(node.Rule, g, mask, createGraph);
                    for (int i = 0; i < node.Inputs.Length; i++)
                    {
                        if (!mask[i]) continue;
                        var input = node.Inputs[i];
                        var gi = results[i] ?? throw new InvalidOperationException($"backward rule of '{node.Op}' returned no gradient for input {i}");
                        if (!gi.Shape.Equals(input.Shape) || gi.DType != input.DType)
                            throw new InvalidOperationException($"backward rule of '{node.Op}' returned {gi} for input {i}, {input}");
                        owned.Add(gi);
                        Accumulate(grads, owned, input, gi, createGraph);
                    }
                }
                if (!IsTarget(v) && !createGraph)
                {
                    grads.Remove(v);
                    if (owned.Remove(g)) g.Data.Dispose();
                }
            }
        }

        if (!retainGraph && !createGraph)
            foreach (var v in order) v.Node?.Release();
        return (grads, owned);
    }

    /// <summary>
    /// Runs one backward rule. Without a graph to build, the rule's temporaries (products before a
    /// SumTo, activation masks) are freed at once instead of living until the caller's scope ends.
    /// </summary>
    private static Var?[] ApplyRule(Func<Var, bool[], Var?[]> rule, Var g, bool[] needed, bool createGraph)
    {
        if (createGraph) return rule(g, needed);
        var outer = TensorScope.Current;
        using var scope = TensorScope.Begin();
        var results = rule(g, needed);
        foreach (var gi in results) gi?.Data.MoveTo(outer);
        return results;
    }

    private static void Accumulate(Dictionary<Var, Var> grads, HashSet<Var> owned, Var target, Var g, bool createGraph)
    {
        if (!grads.TryGetValue(target, out var previous))
        {
            grads[target] = g;
            return;
        }
        // float16 gradients (of values stored in half precision) are summed in float32.
        var sum = previous.DType == DType.Float16
            ? Functional.Cast(Functional.Add(Functional.Cast(previous, DType.Float32), Functional.Cast(g, DType.Float32)), DType.Float16)
            : Functional.Add(previous, g);
        owned.Add(sum);
        grads[target] = sum;
        if (createGraph) return;
        if (owned.Remove(previous)) previous.Data.Dispose();
        if (owned.Remove(g)) g.Data.Dispose();
    }

    /// <summary>Vars that require gradients reachable from <paramref name="outputs"/>, every input before its users.</summary>
    private static List<Var> TopologicalOrder(IReadOnlyList<Var> outputs)
    {
        var order = new List<Var>();
        var state = new Dictionary<Var, bool>(ByReference); // false: on the stack, true: done
        var stack = new Stack<(Var Var, int Next)>();
        foreach (var root in outputs)
        {
            if (!root.RequiresGrad || state.ContainsKey(root)) continue;
            stack.Push((root, 0));
            state[root] = false;
            while (stack.Count > 0)
            {
                var (v, next) = stack.Pop();
                var node = v.Node;
                if (node is { Released: true })
                    throw new InvalidOperationException(
                        $"the graph through '{node.Op}' was freed by an earlier backward pass; pass retainGraph: true to that one");
                if (node is not null && next < node.Inputs.Length)
                {
                    stack.Push((v, next + 1));
                    var input = node.Inputs[next];
                    if (input.RequiresGrad && !state.ContainsKey(input))
                    {
                        state[input] = false;
                        stack.Push((input, 0));
                    }
                    continue;
                }
                state[v] = true;
                order.Add(v);
            }
        }
        return order;
    }
}
