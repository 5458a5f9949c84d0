namespace VoxelGan.Tensors;

/// <summary>Element type of a tensor. Float32 and Float64 are compute types; Float16 is storage only.</summary>
public enum DType
{
    /// <summary>IEEE 754 binary16 (<see cref="Half"/> on the host): storage only, cast to Float32 to compute.</summary>
    Float16,
    /// <summary>IEEE 754 binary32.</summary>
    Float32,
    /// <summary>IEEE 754 binary64 (used by gradient checks).</summary>
    Float64,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypeInfo
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this DType dtype) => dtype switch
    {
        DType.Float16 => 2,
        DType.Float32 => 4,
        DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Lower-case name as used in files and messages (<c>float32</c>).</summary>
    public static string Name(this DType dtype) => dtype.ToString().ToLowerInvariant();

    /// <summary>The dtype whose elements are the CLR type <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(Half) || typeof(T) == typeof(ILGPU.Half) ? DType.Float16
        : throw new NotSupportedException($"no dtype for CLR type {typeof(T).Name}; use float, double or Half");

    /// <summary>Parses <c>float16|float32|float64</c> (also <c>fp16|fp32|fp64</c>, <c>f16|f32|f64</c>).</summary>
    public static DType Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "float16" or "fp16" or "f16" or "half" => DType.Float16,
        "float32" or "fp32" or "f32" or "float" => DType.Float32,
        "float64" or "fp64" or "f64" or "double" => DType.Float64,
        _ => throw new ArgumentException($"unknown dtype '{text}': expected float16, float32 or float64"),
    };
}
