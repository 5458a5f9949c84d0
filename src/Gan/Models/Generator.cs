using VoxelGan.Autograd;
using VoxelGan.Layers;
using VoxelGan.Tensors;
// F: the differentiable functions (PyTorch's torch.nn.functional), so layer types keep their plain names.
using F = VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Models;

/// <summary>
/// The generator of DESIGN.md section 3: z [B, 128] -> mapping network (8 x Dense + LeakyReLU) ->
/// Dense to 8 F0 + LeakyReLU, reshaped to w [B, F0, 2, 2, 2] -> nb residual blocks
/// x &lt;- LeakyReLU(ConvT3d_k3,s2(x)) + LeakyReLU(ConvT3d_k1,s2^(b+1)(w)) -> ConvT3d_k3,s2 to one channel
/// -> lambda_min + (tanh + 1) / 2 (lambda_max - lambda_min) (widened by <see cref="GanConfig.OutputMargin"/>). Filters F = [S 2^nb, ..., 2S, S]. The 'same'
/// transposed convolutions follow <see cref="GanConfig.TransposedConvolution"/> (TensorFlow's by default). With
/// <see cref="GanConfig.Upsampling"/> = Resize every ConvT3d_k3,s2 is Upsample(2) followed by Conv3d_k3,s1 (run as one
/// transposed convolution with the folded kernel: <see cref="F.UpsampleConv3d"/>).
/// Parameter names: <c>mapping.{2i}.weight</c>, <c>input.0.weight</c>, <c>blocks.{b}.main.0.weight</c>,
/// <c>blocks.{b}.skip.0.weight</c>, <c>output.0.weight</c> (and biases); under Resize <c>blocks.{b}.main.1.weight</c> and
/// <c>output.1.weight</c> (index 0 is the parameter-free upsampling).
/// </summary>
public sealed class Generator : Module
{
    private readonly Sequential _mapping, _input, _output;
    private readonly List<(Sequential Main, Sequential Skip)> _blocks = [];

    /// <summary>Builds the generator with orthogonal kernels and zero biases.</summary>
    public Generator(GanConfig config, RandomGenerator rng, Device? device = null)
    {
        Config = config.Validate();
        int nb = config.GeneratorBlocks;
        var filters = Enumerable.Range(0, nb + 1).Select(b => config.Ngf << (nb - b)).ToArray();
        var mapping = new List<Layer>();
        for (int i = 0; i < config.MappingLayers; i++)
        {
            mapping.Add(new Dense(config.LatentDim, config.LatentDim, rng, device: device));
            mapping.Add(new LeakyRelu(config.GeneratorSlope));
        }
        _mapping = AddModule("mapping", new Sequential([.. mapping]));
        _input = AddModule("input", new Sequential(new Dense(config.LatentDim, 8 * filters[0], rng, device: device), new LeakyRelu(config.GeneratorSlope)));
        var blocks = AddModule("blocks", new ModuleList());
        for (int b = 0; b < nb; b++)
        {
            var block = blocks.Add(new ModuleList());
            var main = block.Add("main", new Sequential([.. Doubling(filters[b], filters[b + 1]), new LeakyRelu(config.GeneratorSlope)]));
            var skip = block.Add("skip", new Sequential(ConvTranspose3d.Same(filters[0], filters[b + 1], 1, 2 << b, rng, device: device, convention: config.TransposedConvolution), new LeakyRelu(config.GeneratorSlope)));
            _blocks.Add((main, skip));
        }
        _output = AddModule("output", new Sequential([.. Doubling(config.Ngf, 1), new ScaledTanh(config.OutputRange.Min, config.OutputRange.Max)]));
        Filters = filters;
        if (config.SkipInitGain != 1)
            foreach (var (_, skip) in _blocks) Initializers.Rescale(skip.Layers.OfType<ConvTranspose3d>().Single().Weight.Data, config.SkipInitGain);
        var doublings = _blocks.Select(b => b.Main).Append(_output).Select(s => s.Layers.First(l => l is ConvTranspose3d or Conv3d)).ToArray();
        // Validate() refuses the interpolating start under Resize, so every doubling here is a transposed convolution.
        if (config.InterpolatingInit)
            foreach (var layer in doublings.Cast<ConvTranspose3d>())
                Interpolating(layer);
        if (config.BalancedInit)
        {
            double leaky = Math.Sqrt(2 / (1 + config.GeneratorSlope * config.GeneratorSlope));
            foreach (var dense in mapping.OfType<Dense>().Append(_input.Layers.OfType<Dense>().Single()))
                Balance(dense.Weight, dense.Weight.Shape[1], dense.Weight.Shape[1], dense.Weight.Shape[0], leaky);
            foreach (var layer in doublings.SkipLast(1).Concat(_blocks.Select(b => b.Skip.Layers.OfType<ConvTranspose3d>().Single())))
                Balance(layer, leaky);
            Balance(doublings[^1], 1);
        }

        // The layers that double the grid from cin to cout channels, per config.Upsampling.
        Layer[] Doubling(int cin, int cout) => config.Upsampling == GeneratorUpsampling.Resize
            ? [new Upsample3d(2), new Conv3d(cin, cout, 3, rng, device: device)]
            : [ConvTranspose3d.Same(cin, cout, 3, 2, rng, device: device, convention: config.TransposedConvolution)];
    }

    /// <summary>
    /// Multiplies an orthogonal weight so that an output keeps its input's variance: with n terms reaching an
    /// output and rows or columns of unit norm, E[w^2] = 1 / max(rows, cols) and the output variance is
    /// n E[w^2] times the input's; <paramref name="activationGain"/> makes up for the activation after it.
    /// </summary>
    private static void Balance(Var weight, double terms, int rows, int cols, double activationGain) =>
        Initializers.Rescale(weight.Data, activationGain / Math.Sqrt(terms / Math.Max(rows, cols)));

    /// <summary>
    /// A transposed convolution W [Cin, Cout, K, K, K] at stride s: Cin max(1, (K/s)^3) terms reach an output voxel on average
    /// (at a lattice point for K = 1); a convolution W [Cout, Cin, K, K, K] at stride 1: Cin K^3.
    /// </summary>
    private static void Balance(Layer layer, double activationGain)
    {
        switch (layer)
        {
            case ConvTranspose3d t:
            {
                int cin = t.Weight.Shape[0], cout = t.Weight.Shape[1], k = t.Kernel;
                double taps = Math.Max(1, Math.Pow((double)k / t.Stride, 3));
                Balance(t.Weight, cin * taps, cin, cout * k * k * k, activationGain);
                break;
            }
            case Conv3d c:
            {
                int cout = c.Weight.Shape[0], fanIn = c.Weight.Shape[1] * c.Kernel * c.Kernel * c.Kernel;
                Balance(c.Weight, fanIn, cout, fanIn, activationGain);
                break;
            }
            default:
                throw new InvalidOperationException($"no variance balance for {layer.GetType().Name}");
        }
    }

    /// <summary>
    /// Replaces a kernel-3, stride-2 kernel W [Cin, Cout, 3, 3, 3] by c[ci, co] b(kd) b(kh) b(kw), b = (1/2, 1, 1/2), with c the
    /// centre taps times sqrt(27 / 0.75^3): an orthogonal draw brings 27/8 taps of variance s^2 to an output voxel on
    /// average, the interpolating kernel 0.75^3 c^2 (per axis, 1 at an odd and 1/4 + 1/4 at an even voxel), so the
    /// average output variance stays the draw's.
    /// </summary>
    private static void Interpolating(ConvTranspose3d layer)
    {
        var shape = layer.Weight.Shape;
        if (layer.Kernel != 3 || layer.Stride != 2) throw new InvalidOperationException($"interpolating init expects kernel 3, stride 2, got {layer.Kernel}/{layer.Stride}");
        var w = layer.Weight.Data.ToDoubleArray();
        double[] b = [0.5, 1, 0.5];
        double scale = Math.Sqrt(27 / 8.0 / Math.Pow(0.75, 3));
        var result = new double[w.Length];
        for (int pair = 0; pair < shape[0] * shape[1]; pair++)
        {
            double c = scale * w[pair * 27 + 13];
            for (int t = 0; t < 27; t++) result[pair * 27 + t] = c * b[t / 9] * b[t / 3 % 3] * b[t % 3];
        }
        using var scope = TensorScope.Begin();
        Ops.CopyInto(layer.Weight.Data, Ops.Cast(Tensor.FromArray(result, shape, layer.Weight.Device), layer.Weight.DType));
    }

    /// <summary>The architecture.</summary>
    public GanConfig Config { get; }

    /// <summary>F0 .. F_nb.</summary>
    public IReadOnlyList<int> Filters { get; }

    /// <summary>The mapping network's parameters (their own optimizer group).</summary>
    public ParameterGroup MappingGroup(double learningRateFactor) => Group("mapping", "mapping.", learningRateFactor);

    /// <summary>Every parameter but the mapping network's.</summary>
    public ParameterGroup SynthesisGroup() =>
        new("synthesis", NamedParameters().Where(p => !p.Name.StartsWith("mapping.", StringComparison.Ordinal)).ToArray());

    private static Var Float32(Var x) => x.DType == DType.Float16 ? F.Cast(x, DType.Float32) : x;

    /// <summary>z [B, latent] -> volumes [B, 1, n, n, n]; block outputs in float16 under mixed precision.</summary>
    public Var Forward(Var z, Precision precision = Precision.Fp32) => Synthesize(Map(z), precision);

    /// <summary>The mapping network: z [B, latent] -> mapped latent [B, latent].</summary>
    public Var Map(Var z)
    {
        if (z.Shape.Rank != 2 || z.Shape[1] != Config.LatentDim)
            throw new ShapeException($"generator input must be [batch, {Config.LatentDim}], got {z.Shape}");
        return _mapping.Forward(z);
    }

    /// <summary>The synthesis network: mapped latent [B, latent] -> volumes [B, 1, n, n, n].</summary>
    public Var Synthesize(Var mapped, Precision precision = Precision.Fp32)
    {
        if (mapped.Shape.Rank != 2 || mapped.Shape[1] != Config.LatentDim)
            throw new ShapeException($"synthesis input must be [batch, {Config.LatentDim}], got {mapped.Shape}");
        var w = F.Reshape(_input.Forward(mapped), mapped.Shape[0], Filters[0], 2, 2, 2);
        var x = w;
        // Under mixed precision each branch stores its output in float16; the sum is formed in float32.
        foreach (var (main, skip) in _blocks) x = Float32(main.Forward(x, precision)) + Float32(skip.Forward(w, precision));
        return _output.Forward(x);
    }
}
