using System.Runtime.InteropServices;
using VoxelGan.Tensors.Backends;

namespace VoxelGan.Tensors;

/// <summary>
/// A contiguous row-major N-d array on a <see cref="Device"/> (volumes are NCDHW). A tensor owns a
/// pooled device buffer, shared with views made by <see cref="Reshape"/> and <see cref="Segment"/>;
/// dispose it with <c>using</c>, or let the enclosing <see cref="TensorScope"/> do it.
/// </summary>
public sealed class Tensor : IDisposable
{
    private Storage _storage;
    private TensorScope? _scope;
    private bool _disposed;

    private Tensor(Storage storage, Shape shape, DType dtype, long byteOffset = 0)
    {
        _storage = storage;
        ByteOffset = byteOffset;
        Shape = shape;
        DType = dtype;
        Device.TensorCreated();
        _scope = TensorScope.Current;
        _scope?.Add(this);
    }

    /// <summary>Extents of each axis.</summary>
    public Shape Shape { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>The device holding the data.</summary>
    public Device Device => _storage.Device;

    /// <summary>Number of elements.</summary>
    public int Numel => Shape.Numel;

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>An uninitialised tensor (contents are whatever the pooled buffer held).</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Default;
        return new Tensor(new Storage(d, (long)shape.Numel * dtype.Size()), shape, dtype);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        if (t.Numel > 0) t.Device.Backend.Fill(t, 0);
        return t;
    }

    /// <summary>Copies a host array into a new tensor of shape <paramref name="shape"/> (default: 1-D).</summary>
    public static Tensor FromArray<T>(T[] data, Shape? shape = null, Device? device = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        shape ??= new Shape(data.Length);
        if (shape.Numel != data.Length)
            throw new ShapeException($"{data.Length} values cannot fill a tensor of shape {shape} ({shape.Numel} elements)");
        var t = Empty(shape, DTypeInfo.Of<T>(), device);
        if (data.Length > 0) t.Device.Backend.Upload(MemoryMarshal.AsBytes(data.AsSpan()), t);
        return t;
    }

    /// <summary>A tensor of shape <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        if (t.Numel > 0) t.Device.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) =>
        Full(Shape.Scalar, value, dtype, device);

    /// <summary>The pooled device buffer (for backends); <see cref="Bytes"/> bytes from <see cref="ByteOffset"/> are this tensor's.</summary>
    internal DeviceBuffer Buffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _storage.Buffer;
        }
    }

    /// <summary>Size of the data in bytes.</summary>
    internal long Bytes => (long)Numel * DType.Size();

    /// <summary>Where this tensor's data starts in <see cref="Buffer"/> (0 except for segments).</summary>
    internal long ByteOffset { get; private set; }

    /// <summary>
    /// Copies the data to the host; <typeparamref name="T"/> must match <see cref="DType"/>
    /// (<see cref="Half"/> for float16).
    /// </summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (DTypeInfo.Of<T>() != DType)
            throw new InvalidOperationException($"tensor {this} read as {typeof(T).Name}: dtype is {DType.Name()}");
        var host = new T[Numel];
        if (Numel > 0) Device.Backend.Download(this, MemoryMarshal.AsBytes(host.AsSpan()));
        return host;
    }

    /// <summary>Copies the data to the host as doubles, whatever the dtype.</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float64 => ToArray<double>(),
        DType.Float32 => Array.ConvertAll(ToArray<float>(), v => (double)v),
        DType.Float16 => Array.ConvertAll(ToArray<Half>(), v => (double)v),
        _ => throw new NotSupportedException(DType.ToString()),
    };

    /// <summary>Copies the data to the host as floats, whatever the dtype.</summary>
    public float[] ToFloatArray() => DType switch
    {
        DType.Float32 => ToArray<float>(),
        _ => Array.ConvertAll(ToDoubleArray(), v => (float)v),
    };

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new ShapeException($"Item() needs a one-element tensor, got shape {Shape}");
        return ToDoubleArray()[0];
    }

    /// <summary>
    /// A view with another shape over the same storage (no copy); one extent may be -1. The view is a
    /// tensor of its own and must be disposed too; the storage is freed when the last user goes.
    /// </summary>
    public Tensor Reshape(params int[] shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = Shape.Reshape(shape);
        _storage.AddReference();
        return new Tensor(_storage, target, DType, ByteOffset);
    }

    /// <summary>
    /// A view of <paramref name="shape"/>.Numel consecutive elements of this tensor's row-major data, starting at
    /// element <paramref name="offset"/> (no copy). Flat buffers use it: an optimizer keeps all the parameters of
    /// a group in one buffer so that one launch updates them all. Like <see cref="Reshape"/>, the view must be
    /// disposed too.
    /// </summary>
    public Tensor Segment(long offset, Shape shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(shape);
        if (offset < 0 || offset + shape.Numel > Numel)
            throw new ShapeException($"Segment: elements {offset}..{offset + shape.Numel} of shape {shape} do not lie within the {Numel} elements of {this}");
        _storage.AddReference();
        return new Tensor(_storage, shape, DType, ByteOffset + offset * DType.Size());
    }

    /// <summary>
    /// Copies this tensor's data into <paramref name="arena"/> at element <paramref name="offset"/> and makes this
    /// tensor a segment of the arena from then on: the same object (every holder, such as a parameter's Var, sees
    /// the new place), its old buffer released. The tensor must be the only user of its storage (a reshaped view of
    /// it would silently stay behind), and of the arena's dtype and device.
    /// </summary>
    public void RelocateInto(Tensor arena, long offset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(arena._disposed, arena);
        if (arena.DType != DType || !ReferenceEquals(arena.Device, Device))
            throw new ArgumentException($"RelocateInto: {this} cannot move into {arena} (dtype and device must match)");
        // A tensor already in the arena shares its storage too: name that case before the general one.
        if (ReferenceEquals(_storage, arena._storage))
            throw new InvalidOperationException($"RelocateInto: {this} already lives in that arena");
        if (_storage.IsShared)
            throw new InvalidOperationException($"RelocateInto: {this} shares its storage with a view; relocating would leave the view behind");
        using (var target = arena.Segment(offset, Shape)) Ops.CopyInto(target, this);
        arena._storage.AddReference();
        _storage.Release();
        _storage = arena._storage;
        ByteOffset = arena.ByteOffset + offset * DType.Size();
    }

    /// <summary>Moves this tensor from its scope to the enclosing one (or to the caller, if none).</summary>
    public Tensor MoveToOuter() => _scope is null ? this : MoveTo(_scope.Parent);

    /// <summary>
    /// Gives this tensor the owner of <paramref name="owner"/>: the scope that will dispose it, or no
    /// scope if <paramref name="owner"/> is detached. Used so that a value's gradient lives exactly as
    /// long as the value.
    /// </summary>
    public Tensor MoveToScopeOf(Tensor owner) => MoveTo(owner._scope);

    /// <summary>Moves this tensor into <paramref name="scope"/> (null: no scope, the caller owns it).</summary>
    public Tensor MoveTo(TensorScope? scope)
    {
        if (ReferenceEquals(_scope, scope)) return this;
        _scope?.Remove(this);
        _scope = scope;
        _scope?.Add(this);
        return this;
    }

    /// <summary>Removes this tensor from every scope: the caller now owns it and must dispose it.</summary>
    public Tensor Detach() => MoveTo(null);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _scope?.Remove(this);
        DisposeFromScope();
    }

    internal void DisposeFromScope()
    {
        if (_disposed) return;
        _disposed = true;
        _scope = null;
        _storage.Release();
        Device.TensorDisposed();
    }

    /// <summary>Formats as <c>Tensor(float32, [2, 3], cpu)</c>.</summary>
    public override string ToString() => $"Tensor({DType.Name()}, {Shape}, {Device.Kind.ToString().ToLowerInvariant()})";
}
