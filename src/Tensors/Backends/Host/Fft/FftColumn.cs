namespace VoxelGan.Tensors.Host;

/// <summary>
/// Arguments of one butterfly column: fixed j of a Stockham stage, all q &lt; s. Pointers address
/// split scratch where element e of the group is a real lane vector at offset e * Step and its
/// imaginary vector right after it (Step = 2 G, G = lane count); the column's inputs are
/// x + r * InStride (r &lt; P) and outputs y + k * OutStride (k &lt; P), each swept over q by Count
/// scalars in steps of Step.
/// </summary>
internal unsafe struct FftColumn<T> where T : unmanaged
{
    public T* Xr, Xi, Yr, Yi;
    /// <summary>Twiddle k (1 &lt;= k &lt; P) of this j is at TwRe[k - 1], TwIm[k - 1].</summary>
    public T* TwRe, TwIm;
    public nint Count, InStride, OutStride, Step;
    /// <summary>Generic odd radix only: P, cos / sin(2 pi k / P), and 4 * (P - 1) / 2 vectors of workspace.</summary>
    public int P;
    public T* RootCos, RootSin, Tmp;
}

/// <summary>Compile-time switch so the j = 0 column (all twiddles 1) skips the multiplies without a copied kernel.</summary>
internal interface IFftTwiddleMode
{
    static abstract bool Enabled { get; }
}

internal readonly struct FftWithTwiddles : IFftTwiddleMode
{
    public static bool Enabled => true;
}

internal readonly struct FftNoTwiddles : IFftTwiddleMode
{
    public static bool Enabled => false;
}

/// <summary>One radix's butterfly column kernel; see <see cref="FftColumn{T}"/>.</summary>
internal interface IFftButterfly
{
    static abstract unsafe void Column<T, TV, L, TW>(in FftColumn<T> c)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        where TV : unmanaged
        where L : IFftLanes<T, TV>
        where TW : IFftTwiddleMode;
}
