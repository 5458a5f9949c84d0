using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace VoxelGan.Tensors.IO;

/// <summary>An array read from a NumPy <c>.npy</c> file: row-major shape and values widened to float64.</summary>
/// <param name="Shape">Extents, C order (a Fortran-order file is reordered on reading).</param>
/// <param name="DType">The file's element type as NumPy spells it (<c>uint8</c>, <c>float32</c>, ...).</param>
/// <param name="Values">The elements in row-major order.</param>
public sealed record NpyArray(int[] Shape, string DType, double[] Values)
{
    /// <summary>True for boolean and integer element types.</summary>
    public bool IsInteger => DType is "bool" or "uint8" or "int8" or "uint16" or "int16" or "uint32" or "int32" or "uint64" or "int64";
}

/// <summary>
/// NumPy's <c>.npy</c> format, versions 1-3: the magic <c>\x93NUMPY</c>, a version, a little-endian header
/// length, an ASCII dict <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (32, 32, 32), }</c> padded so
/// the data start at a multiple of 64 bytes, then the raw elements. Reads bool, (u)int8/16/32/64 and
/// float16/32/64 of either byte order; writes version 1.0, little endian, C order.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole file; every malformation is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static NpyArray Read(string path)
    {
        var bytes = InputFile.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
    }

    /// <summary>Parses the bytes of a <c>.npy</c> file.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic)) throw new InvalidDataException("not a .npy file (no \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLength, offset;
        if (major == 1) (headerLength, offset) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]), 10);
        else if (major is 2 or 3 && bytes.Length >= 12) (headerLength, offset) = ((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]), 12);
        else throw new InvalidDataException($".npy version {major} is not supported (1, 2 or 3)");
        if (offset + headerLength > bytes.Length) throw new InvalidDataException("the header runs past the end of the file");
        string header = Encoding.UTF8.GetString(bytes.Slice(offset, headerLength));
        var descr = Regex.Match(header, @"'descr'\s*:\s*'([^']*)'");
        var fortran = Regex.Match(header, @"'fortran_order'\s*:\s*(True|False)");
        var shapeText = Regex.Match(header, @"'shape'\s*:\s*\(([^)]*)\)");
        if (!descr.Success || !fortran.Success || !shapeText.Success) throw new InvalidDataException($"malformed header {header.Trim()}");
        var shape = shapeText.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, out long v) && v >= 0 ? v : throw new InvalidDataException($"bad extent '{s}' in shape ({shapeText.Groups[1].Value})")).ToArray();
        var (name, size, bigEndian) = Describe(descr.Groups[1].Value);
        long count = InputFile.ElementCount("the array", shape);
        var extents = shape.Select(e => e <= InputFile.MaxElements ? (int)e : throw new InvalidDataException($"extent {e} in shape ({string.Join(", ", shape)}) is beyond the reader's limit")).ToArray();
        var data = bytes[(offset + headerLength)..];
        if (data.Length != count * size)
            throw new InvalidDataException($"shape ({string.Join(", ", shape)}) of {name} needs {count * size} data bytes, the file has {data.Length}");
        var values = new double[count];
        for (long i = 0; i < count; i++) values[i] = Element(data.Slice((int)(i * size), size), name, bigEndian);
        if (fortran.Groups[1].Value == "True" && shape.Length > 1) values = FromFortranOrder(values, extents);
        return new NpyArray(extents, name, values);
    }

    /// <summary>Writes <paramref name="values"/> with <paramref name="shape"/> as float32 (<c>&lt;f4</c>), atomically.</summary>
    public static void Write(string path, float[] values, params int[] shape) =>
        Write(path, "<f4", shape, values.Length, (span, i) => BinaryPrimitives.WriteSingleLittleEndian(span, values[i]), 4);

    /// <summary>Writes <paramref name="values"/> with <paramref name="shape"/> as float64 (<c>&lt;f8</c>), atomically.</summary>
    public static void Write(string path, double[] values, params int[] shape) =>
        Write(path, "<f8", shape, values.Length, (span, i) => BinaryPrimitives.WriteDoubleLittleEndian(span, values[i]), 8);

    /// <summary>Writes <paramref name="values"/> with <paramref name="shape"/> as uint8 (<c>|u1</c>), atomically.</summary>
    public static void Write(string path, byte[] values, params int[] shape) =>
        Write(path, "|u1", shape, values.Length, (span, i) => span[0] = values[i], 1);

    private delegate void ElementWriter(Span<byte> destination, int index);

    private static void Write(string path, string descr, int[] shape, int count, ElementWriter element, int size)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != count)
            throw new ShapeException($"{path}: {count} values do not fill the shape ({string.Join(", ", shape)})");
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64 - 10;
        var header = Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n");
        var data = new byte[(long)count * size];
        for (int i = 0; i < count; i++) element(data.AsSpan(i * size, size), i);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length);
            stream.Write(header);
            stream.Write(data);
        });
    }

    private static (string Name, int Size, bool BigEndian) Describe(string descr)
    {
        if (descr.Length < 2) throw new InvalidDataException($"unsupported dtype '{descr}'");
        char order = descr[0];
        bool big = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        string name = descr[1..] switch
        {
            "b1" => "bool", "u1" => "uint8", "i1" => "int8", "u2" => "uint16", "i2" => "int16",
            "u4" => "uint32", "i4" => "int32", "u8" => "uint64", "i8" => "int64",
            "f2" => "float16", "f4" => "float32", "f8" => "float64",
            _ => throw new InvalidDataException($"unsupported dtype '{descr}' (bool, integers and float16/32/64 are)"),
        };
        return (name, int.Parse(descr[2..]), big);
    }

    private static double Element(ReadOnlySpan<byte> b, string name, bool big)
    {
        Span<byte> le = stackalloc byte[b.Length];
        b.CopyTo(le);
        if (big != !BitConverter.IsLittleEndian) le.Reverse();
        return name switch
        {
            "bool" or "uint8" => le[0],
            "int8" => (sbyte)le[0],
            "uint16" => BitConverter.ToUInt16(le),
            "int16" => BitConverter.ToInt16(le),
            "uint32" => BitConverter.ToUInt32(le),
            "int32" => BitConverter.ToInt32(le),
            "uint64" => BitConverter.ToUInt64(le),
            "int64" => BitConverter.ToInt64(le),
            "float16" => (double)BitConverter.ToHalf(le),
            "float32" => BitConverter.ToSingle(le),
            _ => BitConverter.ToDouble(le),
        };
    }

    private static double[] FromFortranOrder(double[] values, int[] shape)
    {
        var result = new double[values.Length];
        var index = new int[shape.Length];
        for (int c = 0; c < values.Length; c++)
        {
            // c walks C order; the Fortran offset has the first axis fastest.
            int f = 0;
            for (int k = shape.Length - 1; k >= 0; k--) f = f * shape[k] + index[k];
            result[c] = values[f];
            for (int k = shape.Length - 1; k >= 0 && ++index[k] == shape[k]; k--) index[k] = 0;
        }
        return result;
    }
}
