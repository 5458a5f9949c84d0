using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VoxelGan.Tensors.Host;

/// <summary>AVX-512 lanes; only selected when <see cref="Avx512F.IsSupported"/>.</summary>
internal readonly unsafe struct FftLanes512<T> : IFftLanes<T, Vector512<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector512<T> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Broadcast(T* p) => Vector512.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T s) => Vector512.Create(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Sub(Vector512<T> a, Vector512<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Mul(Vector512<T> a, Vector512<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulSub(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(double))
            return Avx512F.FusedMultiplySubtract(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Avx512F.FusedMultiplySubtract(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return a * b - c;
    }

    // In-lane unpack/shuffle only (one cheap op per register); the lane permutation they leave is
    // undone by the matching store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInterleaved(T* p, out Vector512<T> re, out Vector512<T> im)
    {
        if (typeof(T) == typeof(double))
        {
            var v0 = Vector512.Load((double*)p);
            var v1 = Vector512.Load((double*)p + 8);
            re = Avx512F.UnpackLow(v0, v1).As<double, T>();
            im = Avx512F.UnpackHigh(v0, v1).As<double, T>();
        }
        else
        {
            var v0 = Vector512.Load((float*)p);
            var v1 = Vector512.Load((float*)p + 16);
            re = Avx512F.Shuffle(v0, v1, 0x88).As<float, T>();
            im = Avx512F.Shuffle(v0, v1, 0xDD).As<float, T>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleaved(T* p, Vector512<T> re, Vector512<T> im)
    {
        if (typeof(T) == typeof(double))
        {
            Avx512F.UnpackLow(re.AsDouble(), im.AsDouble()).Store((double*)p);
            Avx512F.UnpackHigh(re.AsDouble(), im.AsDouble()).Store((double*)p + 8);
        }
        else
        {
            Avx512F.UnpackLow(re.AsSingle(), im.AsSingle()).Store((float*)p);
            Avx512F.UnpackHigh(re.AsSingle(), im.AsSingle()).Store((float*)p + 16);
        }
    }

    // log2(Count) stages of two-source permutes (see FftTranspose) instead of Count^2 scalar moves.
    // Fully unrolled on locals: a stack array of vectors is not 64-byte aligned, and the split
    // stores then failed store-to-load forwarding (this made inner = 1 three times slower).
    public static void Transpose(T* src, nint srcStride, int srcFlip, T* dst, nint dstStride, int dstFlip)
    {
        if (typeof(T) == typeof(double))
            Transpose8((double*)src, srcStride, srcFlip, (double*)dst, dstStride, dstFlip);
        else
            Transpose16((float*)src, srcStride, srcFlip, (float*)dst, dstStride, dstFlip);
    }

    static void Transpose8(double* s, nint ss, int sf, double* d, nint ds, int df)
    {
        Vector512<long> l0 = FftTranspose.Lo64[0], h0 = FftTranspose.Hi64[0], l1 = FftTranspose.Lo64[1];
        Vector512<long> h1 = FftTranspose.Hi64[1], l2 = FftTranspose.Lo64[2], h2 = FftTranspose.Hi64[2];
        var r0 = Vector512.Load(s + (0 ^ sf) * ss); var r1 = Vector512.Load(s + (1 ^ sf) * ss);
        var r2 = Vector512.Load(s + (2 ^ sf) * ss); var r3 = Vector512.Load(s + (3 ^ sf) * ss);
        var r4 = Vector512.Load(s + (4 ^ sf) * ss); var r5 = Vector512.Load(s + (5 ^ sf) * ss);
        var r6 = Vector512.Load(s + (6 ^ sf) * ss); var r7 = Vector512.Load(s + (7 ^ sf) * ss);
        P(ref r0, ref r4, l0, h0); P(ref r1, ref r5, l0, h0); P(ref r2, ref r6, l0, h0); P(ref r3, ref r7, l0, h0);
        P(ref r0, ref r2, l1, h1); P(ref r1, ref r3, l1, h1); P(ref r4, ref r6, l1, h1); P(ref r5, ref r7, l1, h1);
        P(ref r0, ref r1, l2, h2); P(ref r2, ref r3, l2, h2); P(ref r4, ref r5, l2, h2); P(ref r6, ref r7, l2, h2);
        r0.Store(d + (0 ^ df) * ds); r1.Store(d + (1 ^ df) * ds); r2.Store(d + (2 ^ df) * ds); r3.Store(d + (3 ^ df) * ds);
        r4.Store(d + (4 ^ df) * ds); r5.Store(d + (5 ^ df) * ds); r6.Store(d + (6 ^ df) * ds); r7.Store(d + (7 ^ df) * ds);
    }

    static void Transpose16(float* s, nint ss, int sf, float* d, nint ds, int df)
    {
        var r = new V16();
        for (int i = 0; i < 16; i++) r[i] = Vector512.Load(s + (i ^ sf) * ss);
        for (int b = 8, stage = 0; b >= 1; b /= 2, stage++)
        {
            Vector512<int> lo = FftTranspose.Lo32[stage], hi = FftTranspose.Hi32[stage];
            for (int i = 0; i < 16; i++)
                if ((i & b) == 0)
                {
                    Vector512<float> u = r[i], v = r[i + b];
                    r[i] = Avx512F.PermuteVar16x32x2(u, lo, v);
                    r[i + b] = Avx512F.PermuteVar16x32x2(u, hi, v);
                }
        }
        for (int i = 0; i < 16; i++) r[i].Store(d + (i ^ df) * ds);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void P(ref Vector512<double> u, ref Vector512<double> v, Vector512<long> lo, Vector512<long> hi)
    {
        var a = Avx512F.PermuteVar8x64x2(u, lo, v);
        v = Avx512F.PermuteVar8x64x2(u, hi, v);
        u = a;
    }

    [InlineArray(16)]
    struct V16
    {
        Vector512<float> _e;
    }
}
