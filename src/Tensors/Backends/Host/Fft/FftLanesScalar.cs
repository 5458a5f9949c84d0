using System.Numerics;
using System.Runtime.CompilerServices;

namespace VoxelGan.Tensors.Host;

/// <summary>One-lane fallback for machines without AVX2/AVX-512 (e.g. ARM): correct, not fast.</summary>
internal readonly unsafe struct FftLanesScalar<T> : IFftLanes<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Load(T* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, T v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Broadcast(T* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Splat(T s) => s;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Add(T a, T b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sub(T a, T b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Mul(T a, T b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MulAdd(T a, T b, T c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MulSub(T a, T b, T c) => a * b - c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInterleaved(T* p, out T re, out T im)
    {
        re = p[0];
        im = p[1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleaved(T* p, T re, T im)
    {
        p[0] = re;
        p[1] = im;
    }

    public static void Transpose(T* src, nint srcStride, int srcFlip, T* dst, nint dstStride, int dstFlip)
        => FftTranspose.Scalar(Count, src, srcStride, srcFlip, dst, dstStride, dstFlip);
}
