using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace VoxelGan.Tensors;

/// <summary>
/// An ILGPU context and accelerator, its caching memory pool and its loaded kernels. Nothing above
/// <c>src/Tensors</c> needs to know which accelerator runs the work.
/// </summary>
public sealed class Device : IDisposable
{
    /// <summary>Environment variable that selects the default device: <c>cpu</c> or <c>cuda</c>.</summary>
    public const string EnvironmentVariable = "VOXELGAN_DEVICE";

    private static readonly Lock DefaultLock = new();
    private static Device? _default;

    private readonly Context _context;
    private readonly ConcurrentDictionary<MethodInfo, Delegate> _kernels = new();
    private int _liveTensors;

    private Device(Context context, Accelerator accelerator, DeviceKind kind)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Pool = new MemoryPool(accelerator);
        // One thread per element is ruinous on the CPU accelerator (~1-3 us per simulated thread),
        // so every kernel is a grid-stride loop launched with at most one full wave of threads.
        MaxLaunchThreads = Math.Max(1, accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor);
    }

    /// <summary>The process-wide default device: <see cref="EnvironmentVariable"/> if set, else CUDA when present, else CPU.</summary>
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

    /// <summary>Which accelerator this is.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The ILGPU accelerator (for kernel launches inside <c>src/Tensors</c> and for diagnostics).</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The caching allocator every tensor of this device draws from.</summary>
    public MemoryPool Pool { get; }

    /// <summary>Largest number of threads a kernel of this device is launched with.</summary>
    public int MaxLaunchThreads { get; }

    /// <summary>Accelerator name as ILGPU reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>Device memory in bytes; for the CPU accelerator, the memory available to this process.</summary>
    public long MemoryBytes => Kind == DeviceKind.Cpu ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : Accelerator.MemorySize;

    /// <summary>Number of tensors of this device not yet disposed.</summary>
    public int LiveTensors => Volatile.Read(ref _liveTensors);

    /// <summary>Kernel methods loaded on this device so far (each loaded once and cached).</summary>
    public IReadOnlyCollection<MethodInfo> LoadedKernels => _kernels.Keys.ToArray();

    /// <summary>
    /// Parses a device name (<c>cpu</c>, <c>cuda</c>); null or empty means "choose automatically".
    /// <paramref name="source"/> names where the text came from, for the error message.
    /// </summary>
    public static DeviceKind? ParseKind(string? text, string source = "device") =>
        string.IsNullOrWhiteSpace(text) ? null
        : text.Trim().ToLowerInvariant() switch
        {
            "cpu" => DeviceKind.Cpu,
            "cuda" or "gpu" => DeviceKind.Cuda,
            "auto" => null,
            _ => throw new DeviceException($"{source}: unknown device '{text}'; expected cpu, cuda or auto"),
        };

    /// <summary>
    /// Creates a device. <paramref name="kind"/> null picks CUDA when ILGPU finds a CUDA device and the
    /// CPU accelerator otherwise; asking for CUDA where none exists is a <see cref="DeviceException"/>.
    /// </summary>
    public static Device Create(DeviceKind? kind = null)
    {
        var context = Context.Create(builder =>
        {
            if (kind != DeviceKind.Cpu) builder.Cuda();
            // One simulated multiprocessor per core so that the CPU accelerator uses every core, each
            // with one warp of two threads (the smallest ILGPU allows): every simulated thread is an OS
            // thread woken per launch, so fewer threads cut the launch cost from ~680 us (4 x 4 per
            // core) to ~160 us on 2 cores and made a small homogenization 6x faster (perf launch-overhead).
            builder.CPU(new CPUDevice(2, 1, Math.Max(1, Environment.ProcessorCount)));
            builder.EnableAlgorithms();
        });
        try
        {
            var cuda = context.GetCudaDevices();
            if (kind == DeviceKind.Cuda && cuda.Count == 0)
                throw new DeviceException(
                    "a CUDA device was requested (--device cuda or VOXELGAN_DEVICE=cuda) but ILGPU found none: " +
                    "no NVIDIA GPU or driver is visible to this process. Use --device cpu.");
            if (kind != DeviceKind.Cpu && cuda.Count > 0)
                return new Device(context, cuda[0].CreateAccelerator(context), DeviceKind.Cuda);
            return new Device(context, context.GetCPUDevice(0).CreateAccelerator(context), DeviceKind.Cpu);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns the launcher of a kernel, loading it on this device on first use (layers that own kernels, such as src/Fft, load theirs through this too).
    /// <paramref name="load"/> is always <c>static (a, k) =&gt; a.LoadAutoGroupedStreamKernel(k)</c>
    /// (or another ILGPU loader); it is a parameter only because ILGPU's loaders are generic per arity.
    /// </summary>
    public TDelegate Kernel<TDelegate>(TDelegate kernel, Func<Accelerator, TDelegate, TDelegate> load)
        where TDelegate : Delegate =>
        (TDelegate)_kernels.GetOrAdd(kernel.Method, _ => load(Accelerator, kernel));

    /// <summary>Threads to launch for <paramref name="work"/> independent items (each thread loops over a chunk).</summary>
    public int LaunchThreads(long work) => (int)Math.Clamp(work, 1, MaxLaunchThreads);

    /// <summary>Waits for all queued kernels and copies.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    internal void TensorCreated() => Interlocked.Increment(ref _liveTensors);

    internal void TensorDisposed() => Interlocked.Decrement(ref _liveTensors);

    /// <summary>A one-line description: kind, name, memory.</summary>
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} ({Name}, {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB)";

    /// <inheritdoc />
    public void Dispose()
    {
        Accelerator.Synchronize();
        Pool.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}
