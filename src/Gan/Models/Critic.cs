using VoxelGan.Autograd;
using VoxelGan.Layers;
using VoxelGan.Tensors;
// F: the differentiable functions (PyTorch's torch.nn.functional), so layer types keep their plain names.
using F = VoxelGan.Autograd.Functional;

namespace VoxelGan.Gan.Models;

/// <summary>
/// A residual critic block: r = Conv3d_k1(x), h = Conv3d_k3(LeakyReLU(Conv3d_k3(x))), out = LeakyReLU(h + r),
/// 'same' padding, then AvgPool3d(2) when <c>pool</c> (inside the block so that mixed precision stores
/// only the pooled output). Names: <c>skip</c>, <c>conv1</c>, <c>conv2</c>.
/// </summary>
public sealed class CriticBlock : Layer
{
    private readonly Conv3d _skip, _conv1, _conv2;
    private readonly double _slope;
    private readonly bool _pool;

    /// <summary>Builds the block.</summary>
    public CriticBlock(int inChannels, int outChannels, double slope, bool pool, RandomGenerator rng, Device? device = null, DType dtype = DType.Float32)
    {
        (_slope, _pool) = (slope, pool);
        _skip = AddModule("skip", new Conv3d(inChannels, outChannels, 1, rng, dtype: dtype, device: device));
        _conv1 = AddModule("conv1", new Conv3d(inChannels, outChannels, 3, rng, dtype: dtype, device: device));
        _conv2 = AddModule("conv2", new Conv3d(outChannels, outChannels, 3, rng, dtype: dtype, device: device));
    }

    /// <inheritdoc />
    public override Var Forward(Var x)
    {
        // LeakyReLU(conv2(LeakyReLU(conv1(x))) + skip(x)): each convolution adds its bias, the residual and the
        // activation as it stores its output (three launches for the block's seven ops).
        var h = _conv1.ForwardLeakyRelu(x, _slope);
        var y = _conv2.ForwardEpilogue(h, _skip.Forward(x), _slope);
        return _pool ? F.AvgPool3d(y, 2) : y;
    }
}

/// <summary>
/// The critic of DESIGN.md section 3: log2(n) residual blocks with filters S, 2S, 4S, ... (or S
/// throughout), AvgPool3d(2) after every block but the last (n^3 down to 2^3), flatten, Dense to one
/// linear score. Names: <c>blocks.{b}.conv1.weight</c>, ..., <c>head.weight</c>.
/// </summary>
public sealed class Critic : Module
{
    private readonly List<CriticBlock> _blocks = [];
    private readonly Dense _head;

    /// <summary>Builds the critic with orthogonal kernels and zero biases (float64 for gradient checks).</summary>
    public Critic(GanConfig config, RandomGenerator rng, Device? device = null, DType dtype = DType.Float32)
    {
        Config = config.Validate();
        var blocks = AddModule("blocks", new ModuleList());
        int channels = 1;
        var filters = new List<int>();
        for (int b = 0; b < config.CriticBlocks; b++)
        {
            int f = config.Topology == CriticTopology.Growing ? config.Ndf << b : config.Ndf;
            _blocks.Add(blocks.Add(new CriticBlock(channels, f, config.CriticSlope, pool: b < config.CriticBlocks - 1, rng, device, dtype)));
            filters.Add(f);
            channels = f;
        }
        _head = AddModule("head", new Dense(8 * (channels + (config.MinibatchStdGroup > 0 ? 1 : 0)), 1, rng, dtype: dtype, device: device));
        Filters = filters;
    }

    /// <summary>The architecture.</summary>
    public GanConfig Config { get; }

    /// <summary>Filters per block.</summary>
    public IReadOnlyList<int> Filters { get; }

    /// <summary>x [B, 1, n, n, n] -> scores [B, 1]; block outputs in float16 under mixed precision.</summary>
    public Var Forward(Var x, Precision precision = Precision.Fp32)
    {
        int n = Config.Size;
        if (x.Shape.Rank != 5 || x.Shape[1] != 1 || x.Shape[2] != n || x.Shape[3] != n || x.Shape[4] != n)
            throw new ShapeException($"critic input must be [batch, 1, {n}, {n}, {n}], got {x.Shape}");
        foreach (var block in _blocks) x = block.Forward(x, precision);
        if (precision.IsMixed()) x = F.Cast(x, DType.Float32);
        if (Config.MinibatchStdGroup > 0) x = MinibatchStd.Append(x, Config.MinibatchStdGroup);
        return _head.Forward(F.Reshape(x, x.Shape[0], -1));
    }
}
