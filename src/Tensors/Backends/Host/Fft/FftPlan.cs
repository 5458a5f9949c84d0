using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// Factorization and forward twiddles of one length n, cached per (n, T) for the process lifetime.
/// Only forward tables exist: the inverse is obtained by swapping re/im on the way in and out.
/// </summary>
/// <remarks>
/// Stage st (radix p, current length nc = n / (product of earlier radices), m = nc / p) owns
/// (p - 1) * m twiddles at <see cref="TwiddleOffsets"/>[st]: entry j * (p - 1) + (k - 1) is
/// exp(-2 pi i j k / nc) for j &lt; m, 1 &lt;= k &lt; p. Stages of a generic odd radix p also own p
/// roots at <see cref="RootOffsets"/>[st]: entry k is cos / sin(2 pi k / p).
/// All values are computed in float64 and rounded once to T.
/// </remarks>
internal sealed unsafe class FftPlan<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static readonly ConcurrentDictionary<int, FftPlan<T>> Cache = new();

    public readonly int N;
    public readonly int[] Radices;
    public readonly int[] TwiddleOffsets;
    public readonly int[] RootOffsets;
    public readonly int MaxRadix;

    // Pinned so kernels can hold raw pointers without fixed blocks; the plan lives as long as the cache.
    readonly T[] _twRe, _twIm, _rootCos, _rootSin;

    public T* TwRe => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_twRe));
    public T* TwIm => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_twIm));
    public T* RootCos => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_rootCos));
    public T* RootSin => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_rootSin));

    public static FftPlan<T> Get(int n) => Cache.GetOrAdd(n, static k => new FftPlan<T>(k));

    FftPlan(int n)
    {
        N = n;
        Radices = Factor(n);
        MaxRadix = Radices.Length == 0 ? 1 : Radices.Max();
        TwiddleOffsets = new int[Radices.Length];
        RootOffsets = new int[Radices.Length];
        int twCount = 0, rootCount = 0, nc = n;
        for (int st = 0; st < Radices.Length; st++)
        {
            int p = Radices[st];
            TwiddleOffsets[st] = twCount;
            RootOffsets[st] = rootCount;
            twCount += (p - 1) * (nc / p);
            if (!IsSpecialized(p)) rootCount += p;
            nc /= p;
        }
        // +1 keeps every array non-empty so the pointer properties never see a zero-length array.
        _twRe = GC.AllocateUninitializedArray<T>(twCount + 1, pinned: true);
        _twIm = GC.AllocateUninitializedArray<T>(twCount + 1, pinned: true);
        _rootCos = GC.AllocateUninitializedArray<T>(rootCount + 1, pinned: true);
        _rootSin = GC.AllocateUninitializedArray<T>(rootCount + 1, pinned: true);

        nc = n;
        for (int st = 0; st < Radices.Length; st++)
        {
            int p = Radices[st], m = nc / p, o = TwiddleOffsets[st];
            for (int j = 0; j < m; j++)
                for (int k = 1; k < p; k++)
                {
                    // Reduce j*k mod nc exactly in integers so the float64 angle stays accurate for large n.
                    double a = -2.0 * Math.PI * ((long)j * k % nc) / nc;
                    _twRe[o + j * (p - 1) + k - 1] = T.CreateTruncating(Math.Cos(a));
                    _twIm[o + j * (p - 1) + k - 1] = T.CreateTruncating(Math.Sin(a));
                }
            if (!IsSpecialized(p))
                for (int k = 0; k < p; k++)
                {
                    double a = 2.0 * Math.PI * k / p;
                    _rootCos[RootOffsets[st] + k] = T.CreateTruncating(Math.Cos(a));
                    _rootSin[RootOffsets[st] + k] = T.CreateTruncating(Math.Sin(a));
                }
            nc = m;
        }
    }

    /// <summary>Radices with a hand-written butterfly; everything else goes through the O(p^2) generic pass.</summary>
    public static bool IsSpecialized(int p) => p is 2 or 3 or 4 or 5 or 8;

    // Radix 8 first (fewest passes over scratch), then 4, at most one 2, then 3, 5 and other primes.
    static int[] Factor(int n)
    {
        var r = new List<int>();
        int twos = 0;
        while (n % 2 == 0) { n /= 2; twos++; }
        while (twos >= 3 && twos != 4) { r.Add(8); twos -= 3; }
        while (twos >= 2) { r.Add(4); twos -= 2; }
        if (twos == 1) r.Add(2);
        for (int p = 3; (long)p * p <= n; p += 2)
            while (n % p == 0) { r.Add(p); n /= p; }
        if (n > 1) r.Add(n);
        return r.ToArray();
    }
}
