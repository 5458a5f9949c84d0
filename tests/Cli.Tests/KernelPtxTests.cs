using System.Reflection;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Cli.Tests;

/// <summary>
/// Every kernel of every library assembly compiles to PTX (sm_80) with no GPU present. Kernels are
/// found by reflection (<see cref="KernelCatalog"/>), so a new kernel cannot escape this test.
/// </summary>
public class KernelPtxTests
{
    private static readonly string[] LibraryLayers = ["VoxelGan.Autograd", "VoxelGan.Fft", "VoxelGan.Gan", "VoxelGan.Layers", "VoxelGan.Tensors"];

    [Fact]
    public void TheCatalogScansEveryLayer()
    {
        var names = KernelCatalog.LibraryAssemblies().Select(a => a.GetName().Name).ToArray();
        foreach (var layer in LibraryLayers) Assert.Contains(layer, names);
    }

    [Fact]
    public void EveryKernelCompilesToPtx()
    {
        var kernels = KernelCatalog.Discover(KernelCatalog.LibraryAssemblies());
        Assert.NotEmpty(kernels);
        var failures = kernels.Select(KernelCatalog.CompileToPtx).Where(r => r.Ptx is null)
            .Select(r => $"{r.Kernel.Name}: {r.Error}").ToArray();
        Assert.True(failures.Length == 0, "kernels that do not compile to PTX:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void CompiledPtxTargetsSm80AndHasAnEntryPoint()
    {
        var map = KernelCatalog.Discover(KernelCatalog.LibraryAssemblies()).First(k => k.Name == "ElementwiseKernels.Map<Single,Exp>");
        var ptx = KernelCatalog.CompileToPtx(map).Ptx!;
        Assert.Contains(".target sm_80", ptx);
        Assert.Contains(".entry", ptx);
    }

    [Fact]
    public void EveryKernelTheLibraryLoadsIsInTheCatalog()
    {
        // Exercise every op family, then compare what the device actually loaded with the catalog.
        var device = TestDevice.Instance;
        using (TensorScope.Begin())
        {
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                var rng = new RandomGenerator(1);
                var a = Ops.Uniform(new Shape(2, 3), rng, 0.5, 1, dtype, device);
                var b = Ops.Normal(new Shape(3), rng, dtype: dtype, device: device);
                _ = Ops.Sum(Ops.Mul(Ops.Exp(a), b));
                _ = Ops.Max(a, 1);
                _ = Ops.MatMul(a, a, transposeB: true);
                _ = Ops.Pad(Ops.Permute(a, 1, 0), [1, 0], [0, 1]);
                _ = Ops.Cast(Ops.Cast(a, DType.Float16), dtype);
            }
        }
        var catalog = KernelCatalog.Discover(KernelCatalog.LibraryAssemblies()).Select(k => k.Method).ToHashSet();
        var loaded = device.LoadedKernels;
        Assert.NotEmpty(loaded);
        var missing = loaded.Where(m => !catalog.Contains(m)).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToArray();
        Assert.True(missing.Length == 0, "loaded but not in the PTX catalog: " + string.Join(", ", missing));
    }

    [Fact]
    public void HostLaunchersAreNotMistakenForKernels()
    {
        var launcher = typeof(Tensors.Kernels.ElementwiseKernels).GetMethod("RunMap", BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.False(KernelCatalog.IsKernel(launcher));
        Assert.True(KernelCatalog.IsKernel(typeof(Tensors.Kernels.ElementwiseKernels).GetMethod("Map")!));
    }
}
