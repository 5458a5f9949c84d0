using BenchmarkDotNet.Running;

// Benchmarks run on the device chosen by VOXELGAN_DEVICE (cpu|cuda), default auto.
// Example: dotnet run -c Release --project perf/VoxelGan.Perf -- --filter '*MatMul*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
