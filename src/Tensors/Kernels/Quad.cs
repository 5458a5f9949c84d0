using System.Numerics;
using ILGPU;

namespace VoxelGan.Tensors.Kernels;

/// <summary>Four values of one thread's register block (a row of its 4 x 4 outputs, or four operands).</summary>
public struct Quad<T> where T : unmanaged, IFloatingPointIeee754<T>
{
#pragma warning disable CS1591
    public T V0, V1, V2, V3;
#pragma warning restore CS1591

    /// <summary>s[start], s[start + stride], s[start + 2 stride], s[start + 3 stride].</summary>
    public static Quad<T> Load(ArrayView<T> s, int start, int stride) =>
        new() { V0 = s[start], V1 = s[start + stride], V2 = s[start + 2 * stride], V3 = s[start + 3 * stride] };

    /// <summary>
    /// Writes y[i] = epilogue(Vj) at i = first + (co + j stride) step, channel co + j stride, for j = 0..3 where
    /// co + j stride &lt; columns (<c>default</c> epilogue: Vj itself).
    /// </summary>
    public readonly void Store(ArrayView<T> y, int first, int step, int co, int stride, int columns, Epilogue<T> epilogue = default)
    {
        StoreOne(y, first, step, co, columns, V0, epilogue);
        StoreOne(y, first, step, co + stride, columns, V1, epilogue);
        StoreOne(y, first, step, co + 2 * stride, columns, V2, epilogue);
        StoreOne(y, first, step, co + 3 * stride, columns, V3, epilogue);
    }

    private static void StoreOne(ArrayView<T> y, int first, int step, int c, int columns, T value, Epilogue<T> epilogue)
    {
        if (c >= columns) return;
        int index = first + c * step;
        y[index] = epilogue.Apply(value, index, c);
    }

    /// <summary>This + a b, element by element (a scalar, b four values).</summary>
    public readonly Quad<T> AddProduct(T a, Quad<T> b) =>
        new() { V0 = V0 + a * b.V0, V1 = V1 + a * b.V1, V2 = V2 + a * b.V2, V3 = V3 + a * b.V3 };
}

/// <summary>One thread's 4 x 4 block of a GEMM's C in registers: rows <see cref="R0"/> to <see cref="R3"/>.</summary>
public struct RegisterBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
#pragma warning disable CS1591
    public Quad<T> R0, R1, R2, R3;
#pragma warning restore CS1591

    /// <summary>
    /// This + the outer product of four values of A (a[aStart + i aStride], i = 0..3: one per row) and four of B
    /// (b[bStart + j bStride], j = 0..3: one per column): 8 reads of shared memory for 16 multiply-adds.
    /// </summary>
    public readonly RegisterBlock<T> AddOuterProduct(ArrayView<T> a, int aStart, int aStride, ArrayView<T> b, int bStart, int bStride)
    {
        var av = Quad<T>.Load(a, aStart, aStride);
        var bv = Quad<T>.Load(b, bStart, bStride);
        return new RegisterBlock<T> { R0 = R0.AddProduct(av.V0, bv), R1 = R1.AddProduct(av.V1, bv), R2 = R2.AddProduct(av.V2, bv), R3 = R3.AddProduct(av.V3, bv) };
    }

    /// <summary>Row <paramref name="i"/> (0..3).</summary>
    public readonly Quad<T> Row(int i) => i == 0 ? R0 : i == 1 ? R1 : i == 2 ? R2 : R3;
}
