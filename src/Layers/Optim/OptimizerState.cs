using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>
/// An optimizer's state as named tensors, for a checkpoint. Ownership is explicit: the entries made
/// for the snapshot (step counters) belong to this object and are freed by <see cref="Dispose"/>; the
/// live entries (moments) stay the optimizer's and are never freed here. Dispose it after writing.
/// </summary>
public sealed class OptimizerState : IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly List<KeyValuePair<string, Tensor>> _entries = [];

    /// <summary>Every entry, in a stable order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Entries => _entries;

    /// <summary>Adds a tensor made for this snapshot; it is disposed with the state.</summary>
    internal void AddOwned(string name, Tensor tensor)
    {
        _owned.Add(tensor);
        _entries.Add(new(name, tensor));
    }

    /// <summary>Adds a view of live optimizer state; it is not disposed with the state.</summary>
    internal void AddLive(string name, Tensor tensor) => _entries.Add(new(name, tensor));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}

/// <summary>Which way an optimizer step moves the parameters relative to the stored gradient.</summary>
public enum StepDirection
{
    /// <summary>Minimize the loss whose gradient is stored (theta -= lr * update).</summary>
    Descend,

    /// <summary>
    /// Maximize it: the step uses the negated gradient. The WGAN-GP joint update leaves the gradient of
    /// E[D(fake)] on the generator, which the generator maximizes (its loss is -E[D(fake)]).
    /// </summary>
    Ascend,
}
