using System.Runtime.CompilerServices;

namespace VoxelGan.Tensors.Host;

/// <summary>Shared tail of every butterfly: optional twiddle multiply, then a split store.</summary>
internal static unsafe class FftOutput
{
    /// <summary>y = b * w when TW is enabled, else y = b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put<T, TV, L, TW>(T* yr, T* yi, TV br, TV bi, TV wr, TV wi)
        where T : unmanaged where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        if (TW.Enabled)
            FftComplex.Mul<T, TV, L>(br, bi, wr, wi, out br, out bi);
        L.Store(yr, br);
        L.Store(yi, bi);
    }

    /// <summary>Broadcast twiddle k of the column, or a dummy when twiddles are off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Twiddle<T, TV, L, TW>(in FftColumn<T> c, int k, out TV wr, out TV wi)
        where T : unmanaged where TV : unmanaged where L : IFftLanes<T, TV> where TW : IFftTwiddleMode
    {
        wr = TW.Enabled ? L.Broadcast(c.TwRe + k - 1) : default;
        wi = TW.Enabled ? L.Broadcast(c.TwIm + k - 1) : default;
    }
}
