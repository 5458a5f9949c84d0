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
        // Exercise every op family on the ILGPU backend, then compare what it actually loaded with the catalog.
        var device = TestDevice.IlgpuCpu;
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
                var x = Ops.Uniform(new Shape(1, 2, 4, 4, 4), rng, dtype: dtype, device: device);
                var w = Ops.Uniform(new Shape(3, 2, 3, 3, 3), rng, dtype: dtype, device: device);
                var y = Ops.Conv3d(x, w, 1, 1);
                _ = Ops.ConvTranspose3d(y, w, 1, 1);
                _ = Ops.Conv3dWeightGrad(x, y, 3, 1, 1);
                _ = Ops.Upsample3d(Ops.AvgPool3d(x, 2), 2, 0.125);
                Ops.NadamUpdate(a, a, Tensor.Zeros(a.Shape, dtype, device), Tensor.Zeros(a.Shape, dtype, device), new NadamCoefficients(1, 0.9, 0.999, 0.1, 1e-7, -0.01, -0.01, 1), Ops.SumOfSquares(a));
                _ = Ops.FourierTransform(Ops.Uniform(new Shape(6, 2, 2), rng, dtype: dtype, device: device), 0, -1);
            }
            var xi = Tensor.FromArray(new double[] { 0, 1, 0, 1, 0, 1 }, device: device);
            var grid = new Tensors.Kernels.GreenGrid<double> { D = 2, H = 2, W = 2, Lambda0 = 1, Mu0 = 1 };
            var spectrum = Ops.Uniform(new Shape(6, 2, 2, 2, 2), new RandomGenerator(2), dtype: DType.Float64, device: device);
            _ = Ops.GreenOperator(spectrum, xi, grid);
            _ = Ops.EquilibriumResidual(spectrum, xi, grid);
            var ones = Tensor.Full(new Shape(8), 1, DType.Float64, device);
            _ = Ops.HookeStress(Ops.BroadcastTo(ones, new Shape(6, 8)), ones, ones);
        }
        var catalog = KernelCatalog.Discover(KernelCatalog.LibraryAssemblies()).Select(k => k.Method).ToHashSet();
        var loaded = device.LoadedKernels;
        string[] families = ["Conv3dKernels.Forward", "ConvTransposeByPhaseKernels.Transposed", "Conv3dKernels.WeightGradient", "Pool3dKernels.Average",
            "Pool3dKernels.Upsample", "NadamKernels.Update", "FftKernels.Pass", "HomogenizationKernels.Stress", "HomogenizationKernels.Green",
            "HomogenizationKernels.Equilibrium", "MatMulKernels.Naive", "CopyKernels.Strided", "FillKernels.Constant", "CastKernels.Convert"];
        foreach (var family in families) Assert.Contains(loaded, m => $"{m.DeclaringType!.Name}.{m.Name}" == family);
        var missing = loaded.Where(m => !catalog.Contains(m)).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToArray();
        Assert.True(missing.Length == 0, "loaded but not in the PTX catalog: " + string.Join(", ", missing));
    }

    [Fact]
    public void HostLaunchersAreNotMistakenForKernels()
    {
        // The ILGPU backend's launchers take tensors, and its generic launch helpers take kernel delegates.
        var backend = typeof(Device).Assembly.GetType("VoxelGan.Tensors.Ilgpu.IlgpuBackend")!;
        var methods = backend.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        Assert.Contains(methods, m => m.Name == "Launch");
        Assert.DoesNotContain(methods, KernelCatalog.IsKernel);
        Assert.True(KernelCatalog.IsKernel(typeof(Tensors.Kernels.ElementwiseKernels).GetMethod("Map")!));
    }
}
