using VoxelGan.Fft;
using VoxelGan.Gan.Data;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Perf;

/// <summary>
/// <c>compare-fft</c>: a complex float64 3D FFT at 32^3, 64^3 and 128^3 and the six-load-case
/// conjugate-gradient homogenization (tolerance 1e-6, the paper's materials) of a periodic sphere
/// packing at 32^3 and 64^3, in VoxelGan and in NumPy / pyFFTW (<c>perf/peers/fft_bench.py</c>,
/// the same algorithm on the same volumes) in one run; prints seconds and ratios.
/// </summary>
internal static class FftComparison
{
    public static void Run(string repoRoot, int[] fftSizes, int[] homogenizationSizes)
    {
        var d = BenchDevice.Instance;
        var work = Directory.CreateTempSubdirectory("voxelgan-fft-bench").FullName;
        var ours = new Dictionary<string, double>();
        var iterations = new Dictionary<string, int>();
        foreach (int n in fftSizes)
        {
            using var x = Ops.Normal(new Shape(n, n, n, 2), new RandomGenerator((ulong)n), dtype: DType.Float64, device: d).Detach();
            ours[$"fft{n}"] = PeerProcess.Median(() =>
            {
                using var y = Fourier.Transform3d(x);
                BenchDevice.Sync();
            });
        }
        foreach (int n in homogenizationSizes)
        {
            var phases = SpherePacking.Generate(n, n / 8.0, 0.2, seed: n);
            NpyFile.Write(Path.Combine(work, $"spheres{n}.npy"), phases, n, n, n);
            using var solver = new Homogenizer(phases, n, n, n, [IsotropicMaterial.PaperMatrix, IsotropicMaterial.PaperInclusion], device: d);
            HomogenizationResult? result = null;
            ours[$"homogenize{n}"] = PeerProcess.Median(() => result = solver.Stiffness(), repeats: 1);
            iterations[$"homogenize{n}"] = result!.LoadCases.Sum(c => c.Iterations);
            Console.WriteLine($"VoxelGan {n}^3: C11 {result.Stiffness[0, 0]:F2}, {iterations[$"homogenize{n}"]} CG iterations over 6 load cases");
        }
        var peer = PeerProcess.Run(repoRoot, "fft_bench.py", work, string.Join(",", fftSizes), string.Join(",", homogenizationSizes));
        Console.WriteLine($"device: {d}");
        Console.WriteLine($"{"case",-40} {"VoxelGan s",12} {"peer s",12} {"ratio",8}");
        foreach (int n in fftSizes)
        {
            PeerProcess.Row($"3D FFT c128 {n}^3 vs numpy.fft", ours[$"fft{n}"], Get(peer, $"numpy_fft{n}"), 40);
            PeerProcess.Row($"3D FFT c128 {n}^3 vs pyfftw", ours[$"fft{n}"], Get(peer, $"pyfftw_fft{n}"), 40);
        }
        foreach (int n in homogenizationSizes)
        {
            PeerProcess.Row($"homogenize 6 loads {n}^3 vs numpy CG", ours[$"homogenize{n}"], Get(peer, $"numpy_homogenize{n}"), 40);
            if (peer is not null && peer.TryGetValue($"numpy_c11_{n}", out var c11))
                Console.WriteLine($"  numpy peer {n}^3: C11 {c11.GetDouble():F2}, {peer[$"numpy_iterations{n}"]} CG iterations");
        }
        if (peer is not null) Console.WriteLine($"peer: numpy {peer["numpy"]}, pyfftw {peer["pyfftw"]}, threads {peer["threads"]}");
        Directory.Delete(work, recursive: true);
    }

    private static double? Get(Dictionary<string, System.Text.Json.JsonElement>? peer, string key) =>
        peer is not null && peer.TryGetValue(key, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetDouble() : null;
}
