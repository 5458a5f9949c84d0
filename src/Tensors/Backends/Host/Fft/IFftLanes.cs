using System.Runtime.CompilerServices;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// One SIMD register of <typeparamref name="T"/> lanes, abstracted so a single set of FFT kernels
/// serves Vector512, Vector256 and a scalar fallback. Each lane is an independent transform line,
/// so kernels only ever need vertical (lane-wise) arithmetic plus the interleave at the edges.
/// </summary>
internal unsafe interface IFftLanes<T, TV>
    where T : unmanaged
    where TV : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Load(T* p);
    static abstract void Store(T* p, TV v);
    /// <summary>Every lane = *p (twiddles are per element, shared by all lines).</summary>
    static abstract TV Broadcast(T* p);
    static abstract TV Splat(T s);
    static abstract TV Add(TV a, TV b);
    static abstract TV Sub(TV a, TV b);
    static abstract TV Mul(TV a, TV b);
    /// <summary>a * b + c.</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);
    /// <summary>a * b - c.</summary>
    static abstract TV MulSub(TV a, TV b, TV c);
    /// <summary>
    /// Reads Count interleaved complex numbers (2 * Count scalars) at p and splits them. The lane
    /// order may be any fixed permutation of the input order, as long as
    /// <see cref="StoreInterleaved"/> applies its inverse: lines are independent, so only the
    /// round trip has to be exact.
    /// </summary>
    static abstract void LoadInterleaved(T* p, out TV re, out TV im);
    static abstract void StoreInterleaved(T* p, TV re, TV im);
    /// <summary>
    /// dst = transpose(src) for a Count x Count block: src row r is the Count scalars at
    /// src + (r ^ srcFlip) * srcStride, dst row c is written at dst + (c ^ dstFlip) * dstStride.
    /// The flips let the inverse transform swap re/im rows for free.
    /// </summary>
    static abstract void Transpose(T* src, nint srcStride, int srcFlip, T* dst, nint dstStride, int dstFlip);
}

/// <summary>Complex helpers on split vectors, shared by all radix kernels.</summary>
internal static class FftComplex
{
    /// <summary>(ar + i ai) * (wr + i wi) into (cr, ci).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul<T, TV, L>(TV ar, TV ai, TV wr, TV wi, out TV cr, out TV ci)
        where T : unmanaged where TV : unmanaged where L : IFftLanes<T, TV>
    {
        cr = L.MulSub(ar, wr, L.Mul(ai, wi));
        ci = L.MulAdd(ar, wi, L.Mul(ai, wr));
    }
}
