using VoxelGan.Tensors;
using BenchmarkDotNet.Running;
using VoxelGan.Perf;

// Benchmarks run on the device chosen by VOXELGAN_DEVICE (cpu|ilgpu-cpu|cuda), default auto.
// GEMM against the FMA peak and torch.mm: dotnet run -c Release --project perf/VoxelGan.Perf -- compare-gemm [N]
// Example: dotnet run -c Release --project perf/VoxelGan.Perf -- --filter '*MatMul*' --job short
// Cross-check against PyTorch: dotnet run -c Release --project perf/VoxelGan.Perf -- crosscheck-conv DIR
// Same-run comparison with PyTorch (2 threads): dotnet run -c Release --project perf/VoxelGan.Perf -- compare-conv
// FFT and homogenization against NumPy/pyFFTW: dotnet run -c Release --project perf/VoxelGan.Perf -- compare-fft
// One training iteration against PyTorch: dotnet run -c Release --project perf/VoxelGan.Perf -- compare-train
// Launches and host syncs of one iteration, by kernel: dotnet run -c Release --project perf/VoxelGan.Perf -- count-launches [SIZE] [tiled]
// Device time by kernel and launch shape: dotnet run -c Release --project perf/VoxelGan.Perf -- profile-train [SIZE NGF NDF BATCH REPEATS ROWS]
// CPU accelerator launch cost: dotnet run -c Release --project perf/VoxelGan.Perf -- launch-overhead
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
if (args is ["compare-gemm", ..])
{
    // Optional: compare-gemm N (default 512).
    GemmComparison.Run(Directory.GetCurrentDirectory(), args.Length > 1 ? int.Parse(args[1]) : 512);
    return;
}
if (args is ["compare-fft", ..])
{
    // Optional: compare-fft 32,64,128 32,64 (FFT sizes, homogenization sizes).
    int[] Sizes(int i, int[] fallback) => args.Length > i ? args[i].Split(',').Select(int.Parse).ToArray() : fallback;
    FftComparison.Run(Directory.GetCurrentDirectory(), Sizes(1, [32, 64, 128]), Sizes(2, [32, 64]));
    return;
}
if (args is ["compare-train", ..])
{
    // Optional: compare-train SIZE NGF NDF BATCH REPEATS (default: the paper's 32 32 16 8, 3 repeats).
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
    TrainComparison.Run(Directory.GetCurrentDirectory(), Arg(1, 32), Arg(2, 32), Arg(3, 16), Arg(4, 8), Arg(5, 3));
    return;
}
if (args is ["count-launches", ..])
{
    // Optional: count-launches SIZE [tiled] (default 32); on the CPU it counts on ILGPU's CPU accelerator at 2 and 4
    // filters, and with "tiled" also on one with 16-thread groups, where the GPU's tiled kernels run (slow: ~18 min).
    TrainComparison.PrintLaunches(BenchDevice.Instance, args.Length > 1 && int.TryParse(args[1], out int size) ? size : 32, 32, 16, 8, tiled: args.Contains("tiled"));
    return;
}
if (args is ["profile-train", ..])
{
    // Optional: profile-train SIZE NGF NDF BATCH REPEATS ROWS (default 32 32 16 8 3 25).
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
    TrainProfile.Run(Arg(1, 32), Arg(2, 32), Arg(3, 16), Arg(4, 8), Arg(5, 3), Arg(6, 25));
    return;
}
if (args is ["launch-overhead"])
{
    using var t = Tensor.Zeros(new Shape(64), DType.Float64, BenchDevice.Instance);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    for (int i = 0; i < 2000; i++) { using var u = Ops.AddScalar(t, 1.0); }
    BenchDevice.Sync();
    Console.WriteLine($"{clock.Elapsed.TotalMilliseconds / 2000 * 1000:F1} us per elementwise launch of 64 elements on {BenchDevice.Instance}");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
