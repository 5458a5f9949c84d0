using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using VoxelGan.Tensors.Backends;
using VoxelGan.Tensors.Kernels;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// The host backend: the kernel families of <see cref="IBackend"/> as SIMD C# (Vector512 lanes, FMA
/// in the GEMM) over all cores, on native 64-byte-aligned memory. Every method computes what the ILGPU
/// reference kernel named on <see cref="IBackend"/> computes; differential tests compare them.
/// Calls are synchronous: when a method returns, its result is written.
/// </summary>
internal sealed unsafe partial class HostBackend : IBackend
{
    /// <summary>Elements below which an elementwise op stays on one thread.</summary>
    internal const long ElementGrain = 1 << 15;

    public DeviceKind Kind => DeviceKind.Cpu;

    public DeviceCounters Counters { get; } = new();

    public string Name { get; } = CpuName();

    public long MemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public IReadOnlyCollection<MethodInfo> LoadedKernels => [];

    public IReadOnlyList<(string Label, string Value)> Describe() =>
    [
        ("backend", "host (SIMD C#)"),
        ("threads", $"{Environment.ProcessorCount} (one per core, Parallel.For over blocks)"),
        ("vectors", Vector512.IsHardwareAccelerated ? "512-bit (AVX-512)" : Vector256.IsHardwareAccelerated ? "256-bit (Vector512 emulated by two halves)" : "none accelerated"),
        (".NET", RuntimeInformation.FrameworkDescription),
    ];

    public DeviceBuffer Allocate(long bytes) => new HostBuffer(bytes);

    public bool ReferenceKernels
    {
        get => false;
        set => throw new NotSupportedException("the host backend has no reference kernels of its own (its kernels are tested against the ILGPU references); set ReferenceKernels on an ILGPU device");
    }

    public int SplitKBelowGroups
    {
        get => 0;
        set => throw new NotSupportedException("the host backend's convolutions have no thread groups to split for; set SplitKBelowGroups on an ILGPU device");
    }

    public void Synchronize() { }

    public void Upload(ReadOnlySpan<byte> source, Tensor destination) =>
        source.CopyTo(new Span<byte>(destination.Data<byte>(), source.Length));

    public void Download(Tensor source, Span<byte> destination) =>
        new ReadOnlySpan<byte>(source.Data<byte>(), destination.Length).CopyTo(destination);

    public void Dispose() { }

    public void Fill(Tensor y, double value)
    {
        switch (y.DType)
        {
            case DType.Float32: Span(y.Data<float>(), y.Numel).Fill((float)value); break;
            case DType.Float64: Span(y.Data<double>(), y.Numel).Fill(value); break;
            default: Span(y.Data<Half>(), y.Numel).Fill((Half)(float)value); break;
        }
    }

    public void Copy(Tensor source, Tensor destination, int count, StridedIndex map)
    {
        switch (source.DType.Size())
        {
            case 4: StridedCopy(source.Data<float>(), destination.Data<float>(), count, map); break;
            case 8: StridedCopy(source.Data<double>(), destination.Data<double>(), count, map); break;
            default: StridedCopy(source.Data<Half>(), destination.Data<Half>(), count, map); break;
        }
    }

    public void Gather(Tensor destination, IReadOnlyList<(Tensor Source, int Offset)> parts)
    {
        // Block copies, each split over threads when it is long; tiny parts cost a call each, as on the host a launch does.
        int size = destination.DType.Size();
        var dst = (byte*)destination.Data<byte>();
        foreach (var (source, offset) in parts)
        {
            var src = (byte*)source.Data<byte>();
            long at = (long)offset * size;
            HostParallel.For(source.Bytes, ElementGrain * size, (k0, k1) =>
                new ReadOnlySpan<byte>(src + k0, (int)(k1 - k0)).CopyTo(new Span<byte>(dst + at + k0, (int)(k1 - k0))));
        }
    }

    /// <summary>
    /// <c>dst[map.OffsetOfB(i)] = src[map.OffsetOfA(i)]</c> (<see cref="CopyKernels.Strided{T}"/>), one
    /// innermost row at a time so that rows contiguous on both sides are block copies.
    /// </summary>
    private static void StridedCopy<T>(T* src, T* dst, int count, StridedIndex map) where T : unmanaged
    {
        int row = map.D5;
        HostParallel.ForRows(count / row, row, ElementGrain, (r, k0, k1) =>
        {
            int i = (int)r * row, a = map.OffsetOfA(i), b = map.OffsetOfB(i);
            if (map.A5 == 1 && map.B5 == 1) new ReadOnlySpan<T>(src + a + k0, k1 - k0).CopyTo(new Span<T>(dst + b + k0, k1 - k0));
            else for (int k = k0; k < k1; k++) dst[b + k * map.B5] = src[a + k * map.A5];
        });
    }

    public void Cast(Tensor x, Tensor y)
    {
        int n = y.Numel;
        switch ((x.DType, y.DType))
        {
            case (DType.Float32, DType.Float64): TensorPrimitives.ConvertTruncating<float, double>(Span(x.Data<float>(), n), Span(y.Data<double>(), n)); break;
            case (DType.Float64, DType.Float32): TensorPrimitives.ConvertTruncating<double, float>(Span(x.Data<double>(), n), Span(y.Data<float>(), n)); break;
            case (DType.Float32, DType.Float16): TensorPrimitives.ConvertToHalf(Span(x.Data<float>(), n), Span(y.Data<Half>(), n)); break;
            case (DType.Float16, DType.Float32): TensorPrimitives.ConvertToSingle(Span(x.Data<Half>(), n), Span(y.Data<float>(), n)); break;
            case (DType.Float64, DType.Float16):
                // Through float, as the reference kernel rounds (double rounding, see DoubleToHalf).
                for (int i = 0; i < n; i++) y.Data<Half>()[i] = (Half)(float)x.Data<double>()[i];
                break;
            case (DType.Float16, DType.Float64):
                for (int i = 0; i < n; i++) y.Data<double>()[i] = (float)x.Data<Half>()[i];
                break;
            default: throw new NotSupportedException($"cast from {x.DType.Name()} to {y.DType.Name()}");
        }
    }

    public void Uniform(Tensor y, ulong seed, ulong offset, double low, double high)
    {
        switch (y.DType)
        {
            case DType.Float32: Draw(y.Data<float>(), y.Numel, seed, offset, low, high, normal: false, default(DoubleToSingle)); break;
            case DType.Float64: Draw(y.Data<double>(), y.Numel, seed, offset, low, high, normal: false, default(DoubleToDouble)); break;
            default: Draw(y.Data<ILGPU.Half>(), y.Numel, seed, offset, low, high, normal: false, default(DoubleToHalf)); break;
        }
    }

    public void Normal(Tensor y, ulong seed, ulong offset, double mean, double std)
    {
        switch (y.DType)
        {
            case DType.Float32: Draw(y.Data<float>(), y.Numel, seed, offset, mean, std, normal: true, default(DoubleToSingle)); break;
            case DType.Float64: Draw(y.Data<double>(), y.Numel, seed, offset, mean, std, normal: true, default(DoubleToDouble)); break;
            default: Draw(y.Data<ILGPU.Half>(), y.Numel, seed, offset, mean, std, normal: true, default(DoubleToHalf)); break;
        }
    }

    /// <summary>
    /// The counter-based draws of <see cref="RandomKernels.Uniform{T, TConv}"/> (a = low, b = high) and
    /// <see cref="RandomKernels.Normal{T, TConv}"/> (a = mean, b = std), element by element the same numbers.
    /// </summary>
    private static void Draw<T, TConv>(T* y, int n, ulong seed, ulong offset, double a, double b, bool normal, TConv conv)
        where T : unmanaged where TConv : struct, IConvert<double, T>
    {
        HostParallel.For(n, ElementGrain / 8, (i0, i1) =>
        {
            for (long i = i0; i < i1; i++)
            {
                if (!normal) { y[i] = conv.Convert(a + (b - a) * RandomKernels.Unit(seed, offset + (ulong)i)); continue; }
                ulong c = offset + 2UL * (ulong)i;
                double r = Math.Sqrt(-2.0 * Math.Log(RandomKernels.Unit(seed, c)));
                y[i] = conv.Convert(a + b * r * Math.Cos(2.0 * Math.PI * RandomKernels.Unit(seed, c + 1)));
            }
        });
    }

    public void NadamUpdate(Tensor theta, Tensor grad, Tensor m, Tensor v, NadamCoefficients c, Tensor gate, int own)
    {
        // The gate is host memory here, so the decision that a GPU takes per thread is taken once.
        double* sums = gate.Data<double>();
        double total = 0;
        for (int j = 0; j < gate.Numel; j++) total += sums[j];
        double factor = NadamKernels.GradientFactor(total, sums[own], c.GradScale, c.ClipNorm);
        if (double.IsNaN(factor)) return;
        if (theta.DType == DType.Float32) Nadam(theta.Data<float>(), grad.Data<float>(), m.Data<float>(), v.Data<float>(), theta.Numel, c.Round<float>(own), (float)factor);
        else Nadam(theta.Data<double>(), grad.Data<double>(), m.Data<double>(), v.Data<double>(), theta.Numel, c.Round<double>(own), factor);
    }

    /// <summary>
    /// <see cref="NadamKernels.Update{T, TConv}"/> lane by lane, in the same operation order (so the same bits);
    /// the last partial vector goes through stack copies, so there is one formula for every element.
    /// </summary>
    private static void Nadam<T>(T* theta, T* grad, T* m, T* v, int n, NadamStep<T> s, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        HostParallel.For(n, ElementGrain, (i0, i1) =>
        {
            int w = Vector512<T>.Count;
            long i = i0;
            for (; i + w <= i1; i += w) NadamLanes(theta + i, grad + i, m + i, v + i, s, scale);
            if (i == i1) return;
            int rest = (int)(i1 - i);
            T* buffer = stackalloc T[4 * w];
            for (int k = 0; k < 4 * w; k++) buffer[k] = T.Zero;
            T*[] sources = [theta + i, grad + i, m + i, v + i];
            for (int a = 0; a < 4; a++) new ReadOnlySpan<T>(sources[a], rest).CopyTo(new Span<T>(buffer + a * w, rest));
            NadamLanes(buffer, buffer + w, buffer + 2 * w, buffer + 3 * w, s, scale);
            for (int a = 0; a < 4; a++) if (a != 1) new ReadOnlySpan<T>(buffer + a * w, rest).CopyTo(new Span<T>(sources[a], rest));
        });
    }

    private static void NadamLanes<T>(T* theta, T* grad, T* m, T* v, in NadamStep<T> s, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Vector512.Load(grad) * scale;
        var mi = Vector512.Create(s.Beta1) * Vector512.Load(m) + Vector512.Create(s.OneMinusBeta1) * g;
        var vi = Vector512.Create(s.Beta2) * Vector512.Load(v) + Vector512.Create(s.OneMinusBeta2) * g * g;
        var d = Vector512.Sqrt(vi / Vector512.Create(s.BiasCorrection2)) + Vector512.Create(s.Epsilon);
        (Vector512.Load(theta) + Vector512.Create(s.GradCoefficient) * g / d + Vector512.Create(s.MomentumCoefficient) * mi / d).Store(theta);
        mi.Store(m);
        vi.Store(v);
    }

    private static Span<T> Span<T>(T* p, int n) where T : unmanaged => new(p, n);

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{RuntimeInformation.ProcessArchitecture} CPU";
    }
}
