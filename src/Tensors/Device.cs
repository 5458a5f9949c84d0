using System.Reflection;
using VoxelGan.Tensors.Backends;
using VoxelGan.Tensors.Host;
using VoxelGan.Tensors.Ilgpu;

namespace VoxelGan.Tensors;

/// <summary>
/// Where tensors live and ops run: a backend (the SIMD host backend, ILGPU's CPU accelerator or a CUDA
/// GPU), its caching memory pool and its count of live tensors. Nothing above <c>src/Tensors</c> needs
/// to know which backend runs the work.
/// </summary>
public sealed class Device : IDisposable
{
    /// <summary>Environment variable that selects the default device: <c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda</c> or <c>auto</c>.</summary>
    public const string EnvironmentVariable = "VOXELGAN_DEVICE";

    private static readonly Lock DefaultLock = new();
    private static Device? _default;
    private int _liveTensors;

    private Device(IBackend backend)
    {
        Backend = backend;
        Pool = new MemoryPool(backend.Allocate);
    }

    /// <summary>The process-wide default device: <see cref="EnvironmentVariable"/> if set, else CUDA when present, else the host.</summary>
    public static Device Default
    {
        get
        {
            lock (DefaultLock)
                return _default ??= Create(ParseKind(Environment.GetEnvironmentVariable(EnvironmentVariable), EnvironmentVariable));
        }
    }

    /// <summary>Replaces the default device (the CLI's <c>--device</c>); the caller keeps ownership of the old one.</summary>
    public static void SetDefault(Device device)
    {
        lock (DefaultLock) _default = device;
    }

    /// <summary>The kernels of this device, one method per kernel family.</summary>
    internal IBackend Backend { get; }

    /// <summary>Which backend this is.</summary>
    public DeviceKind Kind => Backend.Kind;

    /// <summary>The caching allocator every tensor of this device draws from.</summary>
    public MemoryPool Pool { get; }

    /// <summary>The hardware's name (CPU model or GPU name).</summary>
    public string Name => Backend.Name;

    /// <summary>Device memory in bytes; for the CPU backends, the memory available to this process.</summary>
    public long MemoryBytes => Backend.MemoryBytes;

    /// <summary>Kernel launches and host synchronizations so far (counted by the ILGPU backends; 0 on the host backend).</summary>
    public DeviceCounters Counters => Backend.Counters;

    /// <summary>Number of tensors of this device not yet disposed.</summary>
    public int LiveTensors => Volatile.Read(ref _liveTensors);

    /// <summary>ILGPU kernel methods loaded on this device so far (each loaded once and cached; none on the host backend).</summary>
    public IReadOnlyCollection<MethodInfo> LoadedKernels => Backend.LoadedKernels;

    /// <summary>What this device is, as (label, value) lines: backend, threads, vector width, library versions.</summary>
    public IReadOnlyList<(string Label, string Value)> Describe() =>
        [("device", Kind.Name()), ("name", Name), .. Backend.Describe()];

    /// <summary>
    /// Parses a device name (<c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda</c>); null, empty or <c>auto</c> means
    /// "choose automatically". <paramref name="source"/> names where the text came from, for the error message.
    /// </summary>
    public static DeviceKind? ParseKind(string? text, string source = "device") =>
        string.IsNullOrWhiteSpace(text) ? null
        : text.Trim().ToLowerInvariant() switch
        {
            "cpu" or "host" => DeviceKind.Cpu,
            "ilgpu-cpu" => DeviceKind.IlgpuCpu,
            "cuda" or "gpu" => DeviceKind.Cuda,
            "auto" => null,
            _ => throw new DeviceException($"{source}: unknown device '{text}'; expected cpu, ilgpu-cpu, cuda or auto"),
        };

    /// <summary>
    /// Creates a device. <paramref name="kind"/> null picks CUDA when ILGPU finds a CUDA device and the
    /// host backend otherwise; asking for CUDA where none exists is a <see cref="DeviceException"/>.
    /// </summary>
    public static Device Create(DeviceKind? kind = null) => kind switch
    {
        DeviceKind.Cpu => new Device(new HostBackend()),
        DeviceKind.IlgpuCpu => new Device(IlgpuBackend.CreateCpu()),
        DeviceKind.Cuda => new Device(IlgpuBackend.TryCreateCuda() ?? throw new DeviceException(
            "a CUDA device was requested (--device cuda or VOXELGAN_DEVICE=cuda) but ILGPU found none: " +
            "no NVIDIA GPU or driver is visible to this process. Use --device cpu.")),
        _ => new Device((IBackend?)IlgpuBackend.TryCreateCuda() ?? new HostBackend()),
    };

    /// <summary>
    /// On an ILGPU device (CUDA or the CPU accelerator), true makes the convolutions launch their readable gather
    /// references (<c>Conv3dKernels.Forward</c>, <c>Conv3dKernels.Transposed</c>: one thread per output, every tap
    /// tested, <c>Conv3dKernels.WeightGradient</c>) instead of the register-tiled implicit GEMMs, and the reductions
    /// one thread per output instead of a group per output: for teaching, and for comparing the two on one device. The
    /// same results: the same products summed in the same order, except where the fast kernels sum in another order
    /// (the flipped stride-1 transposed convolution, a split inner dimension, the reductions' trees), which agree within
    /// rounding. The host backend has its own kernels; setting it there is a <see cref="NotSupportedException"/>.
    /// </summary>
    public bool ReferenceKernels
    {
        get => Backend.ReferenceKernels;
        set => Backend.ReferenceKernels = value;
    }

    /// <summary>
    /// On an ILGPU device: a register-tiled convolution whose launch would have fewer thread groups than this splits
    /// its inner dimension into slices (split-K) so that the GPU is not left mostly idle on small grids. Default:
    /// twice the multiprocessors. Lower it to never split, raise it to split more (tests raise it to reach the split
    /// path on the CPU accelerator's few multiprocessors). 0 on the host backend, where setting it is a
    /// <see cref="NotSupportedException"/>.
    /// </summary>
    public int SplitKBelowGroups
    {
        get => Backend.SplitKBelowGroups;
        set => Backend.SplitKBelowGroups = value;
    }

    /// <summary>
    /// ILGPU's CPU accelerator with groups of <paramref name="threadsPerGroup"/> threads (16 or more: the tiled,
    /// shared-memory kernels run, barriers and all, as on a GPU; each simulated thread is an OS thread, so this is
    /// for testing those kernels on tiny shapes). <see cref="Create"/> with <see cref="DeviceKind.IlgpuCpu"/> makes
    /// groups of 2, the fastest launches, and runs the gather kernels.
    /// </summary>
    public static Device CreateIlgpuCpu(int threadsPerGroup)
    {
        if (threadsPerGroup < 4 || (threadsPerGroup & (threadsPerGroup - 1)) != 0 || threadsPerGroup > 1024)
            throw new ArgumentOutOfRangeException(nameof(threadsPerGroup), threadsPerGroup, "threads per group must be a power of two from 4 to 1024");
        return new Device(IlgpuBackend.CreateCpu(threadsPerGroup));
    }

    /// <summary>Waits for all queued kernels and copies.</summary>
    public void Synchronize() => Backend.Synchronize();

    internal void TensorCreated() => Interlocked.Increment(ref _liveTensors);

    internal void TensorDisposed() => Interlocked.Decrement(ref _liveTensors);

    /// <summary>A one-line description: kind, name, memory.</summary>
    public override string ToString() => $"{Kind.Name()} ({Name}, {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB)";

    /// <inheritdoc />
    public void Dispose()
    {
        Backend.Synchronize();
        Pool.Dispose();
        Backend.Dispose();
    }
}
