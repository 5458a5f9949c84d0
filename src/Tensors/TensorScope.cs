namespace VoxelGan.Tensors;

/// <summary>
/// Frees device memory deterministically: every tensor created on this thread while the scope is the
/// innermost one is disposed when the scope is, unless it was moved out with
/// <see cref="Tensor.MoveToOuter"/> or <see cref="Tensor.Detach"/>. The GC knows nothing of device
/// memory, so relying on finalizers would let a training loop run out of it.
/// </summary>
/// <example><code>
/// using (var scope = TensorScope.Begin())
/// {
///     var t = Ops.Mul(a, b);           // freed when the scope ends
///     result = Ops.Sum(t).MoveToOuter(); // survives into the enclosing scope
/// }
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private TensorScope(TensorScope? parent) => Parent = parent;

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>The scope that was innermost when this one began.</summary>
    public TensorScope? Parent { get; }

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    /// <summary>Opens a scope on this thread.</summary>
    public static TensorScope Begin() => _current = new TensorScope(_current);

    internal void Add(Tensor tensor) => _owned.Add(tensor);

    internal void Remove(Tensor tensor) => _owned.Remove(tensor);

    /// <summary>Disposes every tensor the scope still owns and makes its parent innermost again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (_current != this)
            throw new InvalidOperationException("tensor scopes must be disposed innermost first, on the thread that began them");
        _disposed = true;
        _current = Parent;
        foreach (var t in _owned.ToArray()) t.DisposeFromScope();
        _owned.Clear();
    }
}
