using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VoxelGan.Tensors.Host;

/// <summary>
/// SIMD operations over a vector type <typeparamref name="TV"/> of <typeparamref name="T"/> lanes.
/// Kernels are written once against this interface and instantiated with a struct implementation,
/// so the JIT specializes and inlines every call (no virtual dispatch, no duplicated kernels).
/// </summary>
internal unsafe interface IVecOps<T, TV>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(T* p);
    static abstract void Store(T* p, TV v);
    static abstract TV Splat(T x);
    /// <summary>a * b + c with a single rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract T Sum(TV v);
}

/// <summary>512-bit lanes: the path on AVX-512 hardware.</summary>
internal readonly unsafe struct V512<T> : IVecOps<T, Vector512<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Zero => Vector512<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector512<T> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        // typeof(T) tests are JIT-time constants, so only one branch survives per instantiation.
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector512<T> v) => Vector512.Sum(v);
}

/// <summary>256-bit lanes: fallback where 512-bit vectors are not accelerated.</summary>
internal readonly unsafe struct V256<T> : IVecOps<T, Vector256<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Zero => Vector256<T>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector256<T> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Splat(T x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector256<T> v) => Vector256.Sum(v);
}
