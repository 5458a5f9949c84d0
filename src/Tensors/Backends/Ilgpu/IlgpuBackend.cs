using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using VoxelGan.Tensors.Backends;
using VoxelGan.Tensors.Kernels;
using Half = ILGPU.Half;

namespace VoxelGan.Tensors.Ilgpu;

/// <summary>
/// The kernels of <c>src/Tensors/Kernels</c> on an ILGPU accelerator: CUDA, or ILGPU's CPU
/// accelerator, which runs every simulated GPU thread as scalar C# (the kernels exactly as a GPU
/// would, for teaching and for testing them without a GPU). Every kernel is a grid-stride loop
/// <c>(Index1D thread, int threads, ...)</c>, loaded once per accelerator and launched through
/// <see cref="Launch{T1, T2}"/> and its arity siblings.
/// </summary>
internal sealed partial class IlgpuBackend : IBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly ConcurrentDictionary<MethodInfo, Delegate> _kernels = new();
    private readonly int _maxThreads;

    /// <summary>
    /// Edge of the square thread groups of the tiled (shared-memory) kernels: the largest of 16, 8, 4 whose square fits
    /// in a group, or 0 when groups are smaller (the default CPU accelerator), where the gather references run instead.
    /// </summary>
    private readonly int _tile;

    /// <summary>One arrival count per output block of a split-K launch (<see cref="InnerSplit{T}"/>), zero between launches.</summary>
    private MemoryBuffer1D<int, Stride1D.Dense>? _splitCounters;

    public bool ReferenceKernels { get; set; }

    public int SplitKBelowGroups { get; set; }

    private IlgpuBackend(Context context, Accelerator accelerator, DeviceKind kind)
    {
        (_context, _accelerator, Kind) = (context, accelerator, kind);
        // One thread per element is ruinous on the CPU accelerator (~1-3 us per simulated thread),
        // so every kernel is a grid-stride loop launched with at most one full wave of threads.
        _maxThreads = Math.Max(1, accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor);
        _tile = new[] { 16, 8, 4 }.FirstOrDefault(t => t * t <= accelerator.MaxNumThreadsPerGroup);
        SplitKBelowGroups = 2 * accelerator.NumMultiprocessors;
        // Timing waits without counting a host synchronization: it is the measurement's, not the program's.
        Counters = new DeviceCounters(accelerator.Synchronize);
    }

    /// <summary>
    /// ILGPU's CPU accelerator. By default one 2-thread warp per core (<paramref name="threadsPerGroup"/> 2): the
    /// cheapest launches, and the gather kernels. With 16 or more threads per group (one simulated multiprocessor of
    /// warps of 4) the tiled kernels run as they would on a GPU, barriers and shared memory included: slow, for tests.
    /// </summary>
    public static IlgpuBackend CreateCpu(int threadsPerGroup = 2) => Create(cuda: false, threadsPerGroup)!;

    /// <summary>The first CUDA device, or null when ILGPU finds none.</summary>
    public static IlgpuBackend? TryCreateCuda() => Create(cuda: true, 0);

    private static IlgpuBackend? Create(bool cuda, int threadsPerGroup)
    {
        var context = Context.Create(builder =>
        {
            if (cuda) builder.Cuda();
            // One simulated multiprocessor per core, each with one warp of two threads (the smallest
            // ILGPU allows): every simulated thread is an OS thread woken per launch, so fewer threads
            // cut the launch cost from ~680 us (4 x 4 per core) to ~160 us on 2 cores.
            else if (threadsPerGroup <= 2) builder.CPU(new CPUDevice(2, 1, Math.Max(1, Environment.ProcessorCount)));
            else builder.CPU(new CPUDevice(4, threadsPerGroup / 4, 1));
            builder.EnableAlgorithms();
        });
        try
        {
            if (cuda)
            {
                var devices = context.GetCudaDevices();
                if (devices.Count == 0) { context.Dispose(); return null; }
                return new IlgpuBackend(context, devices[0].CreateAccelerator(context), DeviceKind.Cuda);
            }
            return new IlgpuBackend(context, context.GetCPUDevice(0).CreateAccelerator(context), DeviceKind.IlgpuCpu);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public DeviceKind Kind { get; }

    public string Name => _accelerator.Name;

    public long MemoryBytes => Kind == DeviceKind.Cuda ? _accelerator.MemorySize : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public IReadOnlyCollection<MethodInfo> LoadedKernels => _kernels.Keys.ToArray();

    public IReadOnlyList<(string Label, string Value)> Describe() =>
    [
        ("backend", Kind == DeviceKind.Cuda ? "ILGPU CUDA" : "ILGPU CPU accelerator (simulated GPU threads)"),
        ("threads", $"{_maxThreads} per launch ({_accelerator.NumMultiprocessors} multiprocessors x {_accelerator.MaxNumThreadsPerMultiprocessor}, warp {_accelerator.WarpSize})"),
        ("conv", _tile > 0 ? $"register-tiled implicit GEMMs, {_tile * _tile}-thread groups, 4 x 4 outputs per thread (transposed: flipped at stride 1, per output phase when strided, a 1 x 1 GEMM spread onto the fine grid when the kernel is shorter than the stride)" : "gather kernels (groups too small to tile); transposed by phase"),
        ("ILGPU", typeof(Context).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?"),
    ];

    public DeviceBuffer Allocate(long bytes) => new IlgpuBuffer(_accelerator.Allocate1D<byte>(bytes));

    public DeviceCounters Counters { get; }

    public void Synchronize()
    {
        Counters.CountHostSync();
        _accelerator.Synchronize();
    }

    public void Upload(ReadOnlySpan<byte> source, Tensor destination) =>
        destination.Bytes().SubView(0, source.Length).CopyFromCPU(_accelerator.DefaultStream, source);

    public void Download(Tensor source, Span<byte> destination)
    {
        source.Bytes().SubView(0, destination.Length).CopyToCPU(_accelerator.DefaultStream, destination);
        Counters.CountHostSync();
        _accelerator.DefaultStream.Synchronize();
    }

    public void Dispose()
    {
        _accelerator.Synchronize();
        _splitCounters?.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    private int Threads(long work) => (int)Math.Clamp(work, 1, _maxThreads);

    private TLaunch Load<TKernel, TLaunch>(TKernel kernel, Func<Accelerator, TKernel, TLaunch> load) where TKernel : Delegate where TLaunch : Delegate =>
        (TLaunch)_kernels.GetOrAdd(kernel.Method, _ => load(_accelerator, kernel));

    /// <summary>
    /// Launches an explicitly grouped kernel (the tiled ones: the group's shape and shared memory come with
    /// <paramref name="config"/>).
    /// </summary>
    private void LaunchGrouped<T1, T2, T3, T4>(Action<T1, T2, T3, T4> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        if (config.GridDim.Size == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        Load(kernel, static (acc, k) => acc.LoadStreamKernel(k))(config, a1, a2, a3, a4);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, Shape(config));
    }

    /// <inheritdoc cref="LaunchGrouped{T1, T2, T3, T4}"/>
    private void LaunchGrouped<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        if (config.GridDim.Size == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        Load(kernel, static (acc, k) => acc.LoadStreamKernel(k))(config, a1, a2, a3, a4, a5);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, Shape(config));
    }

    /// <inheritdoc cref="LaunchGrouped{T1, T2, T3, T4}"/>
    private void LaunchGrouped<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        if (config.GridDim.Size == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        Load(kernel, static (acc, k) => acc.LoadStreamKernel(k))(config, a1, a2, a3, a4, a5, a6);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, Shape(config));
    }

    // One launcher per kernel arity (ILGPU's loaders are generic per arity): load once, launch
    // min(work, one wave) threads of the grid-stride loop.
    private void Launch<T1, T2>(Action<Index1D, int, T1, T2> kernel, long work, T1 a1, T2 a2)
        where T1 : struct where T2 : struct
    {
        if (work == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        int threads = Threads(work);
        Load(kernel, static (acc, k) => acc.LoadAutoGroupedStreamKernel(k))(threads, threads, a1, a2);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, $"work {work}");
    }

    private void Launch<T1, T2, T3>(Action<Index1D, int, T1, T2, T3> kernel, long work, T1 a1, T2 a2, T3 a3)
        where T1 : struct where T2 : struct where T3 : struct
    {
        if (work == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        int threads = Threads(work);
        Load(kernel, static (acc, k) => acc.LoadAutoGroupedStreamKernel(k))(threads, threads, a1, a2, a3);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, $"work {work}");
    }

    private void Launch<T1, T2, T3, T4>(Action<Index1D, int, T1, T2, T3, T4> kernel, long work, T1 a1, T2 a2, T3 a3, T4 a4)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        if (work == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        int threads = Threads(work);
        Load(kernel, static (acc, k) => acc.LoadAutoGroupedStreamKernel(k))(threads, threads, a1, a2, a3, a4);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, $"work {work}");
    }

    private void Launch<T1, T2, T3, T4, T5>(Action<Index1D, int, T1, T2, T3, T4, T5> kernel, long work, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        if (work == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        int threads = Threads(work);
        Load(kernel, static (acc, k) => acc.LoadAutoGroupedStreamKernel(k))(threads, threads, a1, a2, a3, a4, a5);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, $"work {work}");
    }

    private void Launch<T1, T2, T3, T4, T5, T6>(Action<Index1D, int, T1, T2, T3, T4, T5, T6> kernel, long work,
        T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        if (work == 0) return;
        long start = Counters.BeginLaunch(kernel.Method);
        int threads = Threads(work);
        Load(kernel, static (acc, k) => acc.LoadAutoGroupedStreamKernel(k))(threads, threads, a1, a2, a3, a4, a5, a6);
        if (start != 0) Counters.EndLaunch(kernel.Method, start, $"work {work}");
    }

    private static string Shape(KernelConfig c) => $"grid {c.GridDim.X}x{c.GridDim.Y}x{c.GridDim.Z} of {c.GroupDim.X}x{c.GroupDim.Y}";

    private static bool IsSingle(Tensor t) => t.DType == DType.Float32;
}
