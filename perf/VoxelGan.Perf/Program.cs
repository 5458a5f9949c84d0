using BenchmarkDotNet.Running;
using VoxelGan.Perf;

// Benchmarks run on the device chosen by VOXELGAN_DEVICE (cpu|cuda), default auto.
// Example: dotnet run -c Release --project perf/VoxelGan.Perf -- --filter '*MatMul*' --job short
// Cross-check against PyTorch: dotnet run -c Release --project perf/VoxelGan.Perf -- crosscheck-conv DIR
// Same-run comparison with PyTorch (2 threads): dotnet run -c Release --project perf/VoxelGan.Perf -- compare-conv
if (args is ["crosscheck-conv", var dir])
{
    ConvCrossCheck.Write(dir);
    return;
}
if (args is ["compare-conv"])
{
    ConvComparison.Run(Directory.GetCurrentDirectory());
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
