using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>
/// An output voxel (n, d, h, w) of the grid a convolution's GEMM rows enumerate, with the input corner (d0, h0, w0) its
/// taps' shifts start from (computed once per row rather than for every tap).
/// </summary>
public struct Voxel
{
#pragma warning disable CS1591
    public int N, D, H, W, D0, H0, W0;
#pragma warning restore CS1591
}

/// <summary>
/// How a register-tiled kernel splits its inner dimension (split-K): <see cref="Slices"/> per block of the output, slice q
/// storing its partial block at <c>Partials[q Stride + index]</c>; the group that is the last of a block's slices to finish
/// (counted in <see cref="Counters"/>, one per block, zero between launches) adds them in slice order into the output.
/// With one slice the partials and counters are unused and the kernel stores into the output directly.
/// </summary>
public struct InnerSplit<T> where T : unmanaged
{
#pragma warning disable CS1591
    public int Slices, Stride;
    public ArrayView<T> Partials;
    public ArrayView<int> Counters;
#pragma warning restore CS1591
}

/// <summary>
/// A convolution seen as the product C = A B that <see cref="Conv3dImplicitGemmKernels.Convolve{T, TConv}"/> computes
/// without forming A: rows are output voxels, columns output channels, the inner dimension the (input channel, tap)
/// pairs that reach a voxel. A launch may cover several such products on grid z (<see cref="Select"/>).
/// A[m, kk] = input[VoxelBase(row m) + TapOffset(kk)] where <see cref="Inside"/>(row m, TapShift(kk)), else 0: the
/// index splits into a part of the row and a part of the inner index, so a group decodes each inner index once per
/// step (integer division by a run-time extent costs tens of instructions on a GPU) instead of once per thread.
/// </summary>
public interface IImplicitConvolution
{
    /// <summary>Chooses the product of grid slice <paramref name="slice"/> (a phase of a strided transposed convolution); no-op where there is one.</summary>
    void Select(int slice);

    /// <summary>Rows of the selected product.</summary>
    int Rows { get; }

    /// <summary>Columns (output channels).</summary>
    int Columns { get; }

    /// <summary>Inner dimension.</summary>
    int Inner { get; }

    /// <summary>The output voxel of row <paramref name="m"/>.</summary>
    Voxel Row(int m);

    /// <summary>The input index of row <paramref name="v"/>'s gathers before the tap's part (may lie outside the input).</summary>
    int VoxelBase(Voxel v);

    /// <summary>The tap's part of the input index of A[., <paramref name="kk"/>].</summary>
    int TapOffset(int kk);

    /// <summary>The tap's shift on each axis of inner index <paramref name="kk"/>, packed as d | h &lt;&lt; 10 | w &lt;&lt; 20 (each below 1024).</summary>
    int TapShift(int kk);

    /// <summary>Whether the tap of packed shift <paramref name="shift"/> reaches inside the input from row <paramref name="v"/>.</summary>
    bool Inside(Voxel v, int shift);

    /// <summary>B[<paramref name="kk"/>, <paramref name="column"/>] from the weight tensor.</summary>
    T B<T>(ArrayView<T> w, int kk, int column) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The output's index of channel 0 at voxel <paramref name="v"/>; channel c is <see cref="ChannelStride"/> c further.</summary>
    int Output(Voxel v);

    /// <summary>Elements between consecutive channels of the output.</summary>
    int ChannelStride { get; }
}

/// <summary>Packing of a tap's per-axis shifts into one int (<see cref="IImplicitConvolution.TapShift"/>).</summary>
public static class TapShifts
{
    /// <summary>Largest shift on one axis plus one.</summary>
    public const int Limit = 1024;

    /// <summary>d | h &lt;&lt; 10 | w &lt;&lt; 20.</summary>
    public static int Pack(int d, int h, int w) => d | (h << 10) | (w << 20);

    /// <summary>The shift on axis d.</summary>
    public static int D(int shift) => shift & (Limit - 1);

    /// <summary>The shift on axis h.</summary>
    public static int H(int shift) => (shift >> 10) & (Limit - 1);

    /// <summary>The shift on axis w.</summary>
    public static int W(int shift) => shift >> 20;
}

/// <summary>
/// The gather of a direct convolution of geometry <see cref="G"/> (input x [N, Cx, X], output y [N, Cy, Y]):
/// row m = (n, od, oh, ow), kk = (ci, kd, kh, kw), <c>A[m, kk] = x[n, ci, od*S-P+kd, oh*S-P+kh, ow*S-P+kw]</c>.
/// </summary>
public struct DirectGather
{
    /// <summary>The geometry.</summary>
    public ConvGeometry G;

    /// <summary>N YD YH YW.</summary>
    public readonly int Rows => G.N * G.YD * G.YH * G.YW;

    /// <summary>Cx K^3.</summary>
    public readonly int Inner => G.Cx * G.K * G.K * G.K;

    /// <summary>Decodes row m (ow fastest).</summary>
    public readonly Voxel Row(int m)
    {
        ConvGeometry.Decode(m, 1, G.YD, G.YH, G.YW, out int n, out _, out int d, out int h, out int w);
        return new Voxel { N = n, D = d, H = h, W = w, D0 = d * G.S - G.P, H0 = h * G.S - G.P, W0 = w * G.S - G.P };
    }

    /// <summary>Index of x[n, 0, od*S-P, oh*S-P, ow*S-P] (a tap adds ((ci XD + kd) XH + kh) XW + kw).</summary>
    public readonly int VoxelBase(Voxel v) => ((v.N * G.Cx * G.XD + v.D0) * G.XH + v.H0) * G.XW + v.W0;

    /// <summary>((ci XD + kd) XH + kh) XW + kw for kk = (ci, kd, kh, kw).</summary>
    public readonly int TapOffset(int kk)
    {
        int kw = kk % G.K, t = kk / G.K, kh = t % G.K; t /= G.K;
        int kd = t % G.K, ci = t / G.K;
        return ((ci * G.XD + kd) * G.XH + kh) * G.XW + kw;
    }

    /// <summary>(kd, kh, kw) packed.</summary>
    public readonly int TapShift(int kk)
    {
        int kw = kk % G.K, t = kk / G.K, kh = t % G.K; t /= G.K;
        return TapShifts.Pack(t % G.K, kh, kw);
    }

    /// <summary>Whether (od*S-P+kd, oh*S-P+kh, ow*S-P+kw) lies in x.</summary>
    public readonly bool Inside(Voxel v, int shift)
    {
        int id = v.D0 + TapShifts.D(shift), ih = v.H0 + TapShifts.H(shift), iw = v.W0 + TapShifts.W(shift);
        return id >= 0 && id < G.XD && ih >= 0 && ih < G.XH && iw >= 0 && iw < G.XW;
    }

    /// <summary>y[n, 0, od, oh, ow].</summary>
    public readonly int Output(Voxel v) => ((v.N * G.Cy * G.YD + v.D) * G.YH + v.H) * G.YW + v.W;
}

/// <summary>
/// A direct convolution: <see cref="Conv3dKernels.Forward{T}"/> with <c>B[(ci, tap), co] = w[co, ci, tap]</c> of
/// w [Cy, Cx, K, K, K]; or, with <see cref="FlippedTransposed"/> = 1, the stride-1 transposed convolution as a direct one:
/// y as the input (G.Cx = y's channels), x as the output (G.Cy = x's channels), padding K-1-P and the kernel flipped on
/// all three axes (which reverses the linear tap index), <c>B[(co, tap), ci] = w[co, ci, K^3-1-tap]</c> of the weight
/// [y channels, x channels, K, K, K].
/// </summary>
public struct DirectConvolution : IImplicitConvolution
{
    /// <summary>The gather, with the convolution's geometry (the flipped one for <see cref="FlippedTransposed"/>).</summary>
    public DirectGather Gather;

    /// <summary>1 for the stride-1 transposed convolution with the flipped kernel, 0 for the forward one (an int: kernel parameters must be blittable).</summary>
    public int FlippedTransposed;

#pragma warning disable CS1591 // as the interface
    public readonly void Select(int slice) { }
    public readonly int Rows => Gather.Rows;
    public readonly int Columns => Gather.G.Cy;
    public readonly int Inner => Gather.Inner;
    public readonly Voxel Row(int m) => Gather.Row(m);
    public readonly int VoxelBase(Voxel v) => Gather.VoxelBase(v);
    public readonly int TapOffset(int kk) => Gather.TapOffset(kk);
    public readonly int TapShift(int kk) => Gather.TapShift(kk);
    public readonly bool Inside(Voxel v, int shift) => Gather.Inside(v, shift);

    public readonly T B<T>(ArrayView<T> w, int kk, int column) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (FlippedTransposed == 0) return w[column * Gather.Inner + kk];
        int taps = Gather.G.K * Gather.G.K * Gather.G.K, co = kk / taps;
        return w[(co * Gather.G.Cy + column) * taps + (taps - 1 - (kk - co * taps))];
    }

    public readonly int Output(Voxel v) => Gather.Output(v);
    public readonly int ChannelStride => Gather.G.YD * Gather.G.YH * Gather.G.YW;
#pragma warning restore CS1591
}

/// <summary>
/// One output phase of a strided transposed convolution (<see cref="ConvTransposeByPhaseKernels"/>'s decomposition) as
/// a GEMM, phase z = (pd S + ph) S + pw on grid z. On an axis of phase p, output i = a S + p (a = 0 .. ceil((X - p) / S) - 1)
/// receives y[o] w[k] for the taps k = k0 + j S (k0 = (p + P) mod S, j = 0 .. T-1, T = ceil((K - k0) / S)) at
/// o = a + c - j (c = (p + P - k0) / S). Rows are the phase's voxels (n, a, b, c), kk = (co, jd, jh, jw) (jw fastest),
/// <c>A[m, kk] = y[n, co, a + cd - jd, b + ch - jh, c + cw - jw]</c> (0 outside y), <c>B[kk, ci] = w[co, ci, k0d + jd S, k0h + jh S, k0w + jw S]</c>,
/// and C lands in x at (a S + pd, b S + ph, c S + pw). kk ascending is the phase kernel's order (co, then taps
/// ascending), so the same products in the same order, plus exact zeros for taps outside y. Needs K &gt;= S, so
/// that every phase has a tap on every axis.
/// </summary>
public struct PhaseTransposedConvolution : IImplicitConvolution
{
    /// <summary>The transposed convolution's geometry (y [N, Cy, Y] coarse input, x [N, Cx, X] fine output).</summary>
    public ConvGeometry G;

    private int _pd, _ph, _pw, _k0d, _k0h, _k0w, _td, _th, _tw, _cd, _ch, _cw, _ad, _ah, _aw;

    /// <summary>Selects phase <paramref name="slice"/> = (pd S + ph) S + pw.</summary>
    public void Select(int slice)
    {
        _pw = slice % G.S;
        _ph = slice / G.S % G.S;
        _pd = slice / (G.S * G.S);
        Axis(_pd, G.XD, out _k0d, out _td, out _cd, out _ad);
        Axis(_ph, G.XH, out _k0h, out _th, out _ch, out _ah);
        Axis(_pw, G.XW, out _k0w, out _tw, out _cw, out _aw);
    }

    private readonly void Axis(int p, int extent, out int k0, out int taps, out int shift, out int outputs)
    {
        k0 = (p + G.P) % G.S;
        taps = (G.K - k0 + G.S - 1) / G.S;
        shift = (p + G.P - k0) / G.S;
        outputs = Math.Max(0, (extent - p + G.S - 1) / G.S);
    }

#pragma warning disable CS1591 // as the interface
    public readonly int Rows => G.N * _ad * _ah * _aw;
    public readonly int Columns => G.Cx;
    public readonly int Inner => G.Cy * _td * _th * _tw;

    public readonly Voxel Row(int m)
    {
        ConvGeometry.Decode(m, 1, _ad, _ah, _aw, out int n, out _, out int d, out int h, out int w);
        return new Voxel { N = n, D = d, H = h, W = w, D0 = d + _cd, H0 = h + _ch, W0 = w + _cw };
    }

    public readonly int VoxelBase(Voxel v) => ((v.N * G.Cy * G.YD + v.D0) * G.YH + v.H0) * G.YW + v.W0;

    public readonly int TapOffset(int kk)
    {
        int jw = kk % _tw, t = kk / _tw, jh = t % _th; t /= _th;
        int jd = t % _td, co = t / _td;
        return ((co * G.YD - jd) * G.YH - jh) * G.YW - jw;
    }

    public readonly int TapShift(int kk)
    {
        int jw = kk % _tw, t = kk / _tw, jh = t % _th; t /= _th;
        return TapShifts.Pack(t % _td, jh, jw);
    }

    public readonly bool Inside(Voxel v, int shift)
    {
        int od = v.D0 - TapShifts.D(shift), oh = v.H0 - TapShifts.H(shift), ow = v.W0 - TapShifts.W(shift);
        return od >= 0 && od < G.YD && oh >= 0 && oh < G.YH && ow >= 0 && ow < G.YW;
    }

    public readonly T B<T>(ArrayView<T> w, int kk, int column) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int jw = kk % _tw, t = kk / _tw, jh = t % _th; t /= _th;
        int jd = t % _td, co = t / _td;
        return w[(((co * G.Cx + column) * G.K + _k0d + jd * G.S) * G.K + _k0h + jh * G.S) * G.K + _k0w + jw * G.S];
    }

    public readonly int Output(Voxel v) =>
        ((v.N * G.Cx * G.XD + v.D * G.S + _pd) * G.XH + v.H * G.S + _ph) * G.XW + v.W * G.S + _pw;

    public readonly int ChannelStride => G.XD * G.XH * G.XW;
#pragma warning restore CS1591
}
