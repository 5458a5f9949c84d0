using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VoxelGan.Tensors.Host;

/// <summary>AVX2 lanes; only selected when <see cref="Avx2.IsSupported"/>.</summary>
internal readonly unsafe struct FftLanes256<T> : IFftLanes<T, Vector256<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector256<T> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Broadcast(T* p) => Vector256.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Splat(T s) => Vector256.Create(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Sub(Vector256<T> a, Vector256<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Mul(Vector256<T> a, Vector256<T> b) => a * b;

    // Without hardware FMA the Vector256.FusedMultiplyAdd fallback is a slow software emulation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (Fma.IsSupported && typeof(T) == typeof(double))
            return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (Fma.IsSupported && typeof(T) == typeof(float))
            return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulSub(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (Fma.IsSupported && typeof(T) == typeof(double))
            return Fma.MultiplySubtract(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (Fma.IsSupported && typeof(T) == typeof(float))
            return Fma.MultiplySubtract(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return a * b - c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInterleaved(T* p, out Vector256<T> re, out Vector256<T> im)
    {
        if (typeof(T) == typeof(double))
        {
            var v0 = Vector256.Load((double*)p);
            var v1 = Vector256.Load((double*)p + 4);
            re = Avx.UnpackLow(v0, v1).As<double, T>();
            im = Avx.UnpackHigh(v0, v1).As<double, T>();
        }
        else
        {
            var v0 = Vector256.Load((float*)p);
            var v1 = Vector256.Load((float*)p + 8);
            re = Avx.Shuffle(v0, v1, 0x88).As<float, T>();
            im = Avx.Shuffle(v0, v1, 0xDD).As<float, T>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleaved(T* p, Vector256<T> re, Vector256<T> im)
    {
        if (typeof(T) == typeof(double))
        {
            Avx.UnpackLow(re.AsDouble(), im.AsDouble()).Store((double*)p);
            Avx.UnpackHigh(re.AsDouble(), im.AsDouble()).Store((double*)p + 4);
        }
        else
        {
            Avx.UnpackLow(re.AsSingle(), im.AsSingle()).Store((float*)p);
            Avx.UnpackHigh(re.AsSingle(), im.AsSingle()).Store((float*)p + 8);
        }
    }

    public static void Transpose(T* src, nint srcStride, int srcFlip, T* dst, nint dstStride, int dstFlip)
        => FftTranspose.Scalar(Count, src, srcStride, srcFlip, dst, dstStride, dstFlip);
}
