using VoxelGan.Layers;

namespace VoxelGan.Gan.Models;

/// <summary>Critic filter counts per block: growing S, 2S, 4S, ... (the code) or constant S (paper section 4.1).</summary>
public enum CriticTopology
{
    /// <summary>Filters double every block.</summary>
    Growing,

    /// <summary>Every block has S filters.</summary>
    Constant,
}

/// <summary>How the generator's residual blocks and output layer double the grid.</summary>
public enum GeneratorUpsampling
{
    /// <summary>A kernel-3, stride-2 transposed convolution (the paper's and the authors').</summary>
    TransposedConvolution,

    /// <summary>
    /// Nearest-neighbour upsampling by 2, then a kernel-3 convolution at stride 1 ('same' padding): Odena et al.'s
    /// resize-convolution (Distill 2016). Its output cannot depend on a voxel's position modulo 2, as a strided transposed
    /// kernel's does (each output phase uses its own taps).
    /// </summary>
    Resize,
}

/// <summary>
/// The architecture of DESIGN.md section 3: edge <see cref="Size"/> (a power of two, 8 or more),
/// generator filters S = <see cref="Ngf"/> in the last block, critic filters S = <see cref="Ndf"/> in the first.
/// </summary>
public sealed record GanConfig
{
    /// <summary>Volume edge n.</summary>
    public int Size { get; init; } = 32;

    /// <summary>Generator filters of the last block (nGf).</summary>
    public int Ngf { get; init; } = 32;

    /// <summary>Critic filters of the first block (nDf).</summary>
    public int Ndf { get; init; } = 16;

    /// <summary>Critic filter growth.</summary>
    public CriticTopology Topology { get; init; } = CriticTopology.Growing;

    /// <summary>LeakyReLU slope in the critic (0.3 in the authors' code, 0.2 in the paper's text).</summary>
    public double CriticSlope { get; init; } = 0.3;

    /// <summary>LeakyReLU slope in the generator and mapping network.</summary>
    public double GeneratorSlope { get; init; } = 0.2;

    /// <summary>
    /// Kernel placement of the generator's 'same' transposed convolutions: TensorFlow's (the authors' code:
    /// input voxel i reaches output 2i + k) or PyTorch's (2i + k - 1). Runs written before this option
    /// existed used PyTorch's (<see cref="Training.RunConfig.FromJson"/> reads them so).
    /// </summary>
    public SameConvention TransposedConvolution { get; init; } = SameConvention.TensorFlow;

    /// <summary>Latent dimension.</summary>
    public int LatentDim { get; init; } = 128;

    /// <summary>Dense layers of the mapping network.</summary>
    public int MappingLayers { get; init; } = 8;

    /// <summary>Smallest value of the standardized training data (output range of the generator).</summary>
    public double LambdaMin { get; init; } = -1;

    /// <summary>Largest value of the standardized training data.</summary>
    public double LambdaMax { get; init; } = 1;

    /// <summary>
    /// Widens the generator's output range by this fraction of (lambda_max - lambda_min) on each side (0: the
    /// paper's exact data range). For binary data the data values are then reached at finite tanh arguments
    /// instead of only in the limit, so the output layer need not saturate to match them.
    /// </summary>
    public double OutputMargin { get; init; }

    /// <summary>Gain of the orthogonal initialization of every kernel (1: the authors'; sqrt(2 / (1 + 0.2^2)) ~ 1.387 keeps the signal's scale through LeakyReLU(0.2)).</summary>
    public double InitGain { get; init; } = 1;

    /// <summary>
    /// Gain of the critic's orthogonal initialization when it should differ from the generator's (null: <see cref="InitGain"/>
    /// for both, as before this option existed). The generator needs a gain above 1 for the latent's signal to reach its
    /// output; the critic does not, and a critic drawn with a large gain starts far from the 1-Lipschitz bound the
    /// gradient penalty asks for.
    /// </summary>
    public double? CriticInitGain { get; init; }

    /// <summary>
    /// Scales each generator kernel after its orthogonal draw so that every layer keeps the variance of its
    /// input (counting the taps that reach an output voxel and LeakyReLU's loss); at false (the authors')
    /// each upsampling block shrinks the signal's standard deviation about 2.8-fold.
    /// </summary>
    public bool BalancedInit { get; init; }

    /// <summary>
    /// Starts every kernel-3, stride-2 transposed convolution of the generator as a channel mix followed by trilinear
    /// interpolation: <c>w[ci, co, kd, kh, kw] = c[ci, co] b[kd] b[kh] b[kw]</c> with b = (1/2, 1, 1/2) and c the centre tap of
    /// the orthogonal draw, scaled so the output keeps the draw's average variance (the same random numbers, so every
    /// other weight of a seed is unchanged). At the plain draw the number of taps reaching an output voxel (1 to 8)
    /// depends on its parity, which prints a period-2 checkerboard on every generated volume that training must undo;
    /// interpolation starts without it (the idea of ICNR, Aitken et al. 2017). False: the authors' plain draw.
    /// </summary>
    public bool InterpolatingInit { get; init; }

    /// <summary>
    /// Multiplies the orthogonal draw of the generator's kernel-1 skip convolutions (1: the authors'). A kernel-1 transposed
    /// convolution at stride 2^(b+1) writes the latent only on a lattice of that period, and at initialization this lattice
    /// shows in every generated volume; 0 starts the skips silent (their weights still receive gradients and learn).
    /// </summary>
    public double SkipInitGain { get; init; } = 1;

    /// <summary>
    /// How the generator doubles the grid in its blocks and output layer (<see cref="GeneratorUpsampling"/>; the paper's
    /// transposed convolution by default). Resize gives each upsampling layer the same parameter count as the transposed
    /// convolution it replaces and 8 times its multiply-adds; the kernel-1 skip paths stay the authors' either way. Runs
    /// written before this option existed used transposed convolutions (the default when the key is missing).
    /// </summary>
    public GeneratorUpsampling Upsampling { get; init; } = GeneratorUpsampling.TransposedConvolution;

    /// <summary>
    /// Group size of a minibatch standard-deviation channel before the critic's head (<see cref="MinibatchStd"/>; 0: none,
    /// the paper's). The batch size must be a multiple of it.
    /// </summary>
    public int MinibatchStdGroup { get; init; }

    /// <summary>The generator's output range: [lambda_min, lambda_max] widened by <see cref="OutputMargin"/>.</summary>
    public (double Min, double Max) OutputRange => (LambdaMin - OutputMargin * (LambdaMax - LambdaMin), LambdaMax + OutputMargin * (LambdaMax - LambdaMin));

    /// <summary>Generator blocks nb = log2(n) - 2.</summary>
    public int GeneratorBlocks => Log2(Size) - 2;

    /// <summary>Critic blocks: log2(n) - 1 pooled ones and a last one at 2^3.</summary>
    public int CriticBlocks => Log2(Size);

    /// <summary>Throws naming the offending value when the configuration cannot be built.</summary>
    public GanConfig Validate()
    {
        if (Size < 8 || (Size & (Size - 1)) != 0)
            throw new ArgumentException($"volume size {Size} is not a power of two of at least 8 (the generator doubles 2^3 up to n, the critic pools n down to 2^3)");
        if (Ngf < 1 || Ndf < 1) throw new ArgumentException($"--ngf and --ndf must be positive, got {Ngf} and {Ndf}");
        if (LatentDim < 1 || MappingLayers < 0) throw new ArgumentException($"latent dimension {LatentDim} and mapping layers {MappingLayers} must be positive");
        if (!(LambdaMax > LambdaMin)) throw new ArgumentException($"lambda_max {LambdaMax} must exceed lambda_min {LambdaMin}");
        if (!(OutputMargin is >= 0 and <= 10)) throw new ArgumentException($"--output-margin must lie in [0, 10], got {OutputMargin}");
        if (!(InitGain is > 0 and <= 10)) throw new ArgumentException($"--init-gain must lie in (0, 10], got {InitGain}");
        if (!(SkipInitGain is >= 0 and <= 10)) throw new ArgumentException($"--init-skip-gain must lie in [0, 10], got {SkipInitGain}");
        if (CriticInitGain is { } critic && !(critic is > 0 and <= 10)) throw new ArgumentException($"--critic-init-gain must lie in (0, 10], got {critic}");
        if (!(CriticSlope >= 0 && CriticSlope < 1)) throw new ArgumentException($"--critic-slope must lie in [0, 1), got {CriticSlope}");
        if (InterpolatingInit && Upsampling == GeneratorUpsampling.Resize)
            throw new ArgumentException("--init-interpolating shapes the stride-2 transposed convolutions, which --upsampling resize replaces (a resize-convolution has no parity pattern to start without); use one or the other");
        if (MinibatchStdGroup < 0) throw new ArgumentException($"--minibatch-std must be a group size (0: none), got {MinibatchStdGroup}");
        return this;
    }

    private static int Log2(int n) => (int)Math.Round(Math.Log2(n));
}
