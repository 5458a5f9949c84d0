using VoxelGan.Autograd;
using VoxelGan.Tensors;

namespace VoxelGan.Perf;

/// <summary>
/// Writes inputs and VoxelGan results as raw float64 files for <c>perf/peers/conv_crosscheck.py</c>,
/// which recomputes them with PyTorch: conv3d (stride 2, padding 1, a non-cubic 7x6x5 input), its
/// input and weight gradients, conv_transpose3d (stride 2, padding 1, output padding 1) and avg_pool3d.
/// </summary>
internal static class ConvCrossCheck
{
    public static void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        using var scope = TensorScope.Begin();
        var d = BenchDevice.Instance;
        void Save(string name, Tensor t) =>
            File.WriteAllBytes(Path.Combine(dir, name + ".bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.ToArray<double>().AsSpan()).ToArray());
        var rng = new RandomGenerator(1);
        var x = Ops.Normal(new Shape(2, 3, 7, 6, 5), rng, dtype: DType.Float64, device: d);
        var w = Ops.Normal(new Shape(4, 3, 3, 3, 3), rng, dtype: DType.Float64, device: d);
        var yt = Ops.Normal(new Shape(2, 4, 3, 3, 3), rng, dtype: DType.Float64, device: d);
        var wt = Ops.Normal(new Shape(4, 2, 3, 3, 3), rng, dtype: DType.Float64, device: d);
        Save("x", x); Save("w", w); Save("yt", yt); Save("wt", wt);
        Save("conv", Ops.Conv3d(x, w, 2, 1));
        Save("convT", Ops.ConvTranspose3d(yt, wt, 2, 1, 1));
        var xv = new Var(x, requiresGrad: true);
        var wv = new Var(w, requiresGrad: true);
        var y = Functional.Conv3d(xv, wv, 2, 1);
        var gy = Ops.Normal(y.Shape, rng, dtype: DType.Float64, device: d);
        Save("gy", gy);
        var g = Gradients.Of([y], [xv, wv], [new Var(gy)]);
        Save("gx", g[0].Data);
        Save("gw", g[1].Data);
        Save("pool", Ops.AvgPool3d(Ops.Slice(Ops.Slice(x, 2, 0, 6), 4, 0, 4), 2));
        Console.WriteLine($"wrote cross-check inputs and results to {dir}; now run: /usr/bin/python3 perf/peers/conv_crosscheck.py {dir}");
    }
}
