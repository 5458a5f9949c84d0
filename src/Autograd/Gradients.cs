namespace VoxelGan.Autograd;

/// <summary>Entry points of the autograd engine that take several outputs or inputs.</summary>
public static class Gradients
{
    /// <summary>
    /// Gradients of <paramref name="outputs"/> (weighted by <paramref name="gradOutputs"/>; scalars
    /// default to 1) with respect to <paramref name="inputs"/>, as new Vars; inputs the outputs do not
    /// depend on get zeros. With <paramref name="createGraph"/> the gradients carry a graph of their own
    /// and can be differentiated again (the WGAN-GP penalty); the forward graph is then retained.
    /// <paramref name="retainGraph"/> defaults to <paramref name="createGraph"/>.
    /// </summary>
    public static Var[] Of(IReadOnlyList<Var> outputs, IReadOnlyList<Var> inputs, IReadOnlyList<Var>? gradOutputs = null,
        bool createGraph = false, bool? retainGraph = null) =>
        Engine.Grad(outputs, inputs, gradOutputs, createGraph, retainGraph ?? createGraph);

    /// <summary>Gradient of one output with respect to one input.</summary>
    public static Var Of(Var output, Var input, bool createGraph = false) => Of([output], [input], null, createGraph)[0];
}
