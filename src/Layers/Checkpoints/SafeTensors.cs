using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Layers;

/// <summary>
/// The <c>.safetensors</c> format (Hugging Face): an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "string"}}</c> padded with spaces to a multiple of 8, then the raw
/// little-endian, row-major tensor bytes, back to back in header order, as the format's specification
/// asks (offsets contiguous from 0, header padded for alignment). Files are written atomically.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    private static string Code(DType d) => d switch { DType.Float16 => "F16", DType.Float32 => "F32", _ => "F64" };

    private static DType Parse(string code, string file, string name) => code switch
    {
        "F16" => DType.Float16,
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        _ => throw new InvalidDataException($"{file}: tensor '{name}' has dtype {code}; VoxelGan reads F16, F32 and F64"),
    };

    /// <summary>Writes <paramref name="tensors"/> (and string <paramref name="metadata"/>) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToArray();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in list)
        {
            if (name == "__metadata__" || header.ContainsKey(name)) throw new ArgumentException($"tensor name '{name}' is reserved or repeated");
            long bytes = (long)t.Numel * t.DType.Size();
            header[name] = new JsonObject
            {
                ["dtype"] = Code(t.DType),
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, t) in list) stream.Write(HostBytes(t));
        });
    }

    /// <summary>Reads only the <c>__metadata__</c> strings of <paramref name="path"/> (no tensor data).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        var (header, _) = ReadHeader(path, headerOnly: true);
        return Metadata(header, path);
    }

    /// <summary>The <c>__metadata__</c> object: string keys to string values (the format allows nothing else).</summary>
    private static Dictionary<string, string> Metadata(JsonObject header, string path)
    {
        if (!header.TryGetPropertyValue("__metadata__", out var node) || node is null) return [];
        if (node is not JsonObject m) throw new InvalidDataException($"{path}: __metadata__ is not a JSON object");
        return m.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue(out string? text) ? text
            : throw new InvalidDataException($"{path}: metadata '{kv.Key}' is not a string (safetensors metadata maps strings to strings)"));
    }

    private static (JsonObject Header, byte[] Bytes) ReadHeader(string path, bool headerOnly)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} does not exist", path);
        byte[] bytes;
        using (var file = InputFile.OpenRead(path))
        {
            var prefix = new byte[Math.Min(8, file.Length)];
            file.ReadExactly(prefix);
            if (prefix.Length < 8) throw new InvalidDataException($"{path}: {file.Length} bytes is too short for a safetensors file");
            long length = BinaryPrimitives.ReadInt64LittleEndian(prefix);
            if (length <= 0 || length > MaxHeaderBytes || 8 + length > file.Length)
                throw new InvalidDataException($"{path}: header length {length} does not fit a file of {file.Length} bytes (not a safetensors file?)");
            bytes = new byte[headerOnly ? 8 + length : file.Length];
            prefix.CopyTo(bytes, 0);
            file.ReadExactly(bytes.AsSpan(8));
        }
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        try
        {
            var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n)) as JsonObject
                         ?? throw new InvalidDataException($"{path}: the header is not a JSON object");
            _ = header.Count; // JsonObject builds its dictionary lazily: a repeated key throws here, not later
            return (header, bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: header is not valid JSON ({e.Message})");
        }
        catch (ArgumentException e)
        {
            // System.Text.Json reports a repeated key this way ("An item with the same key has already been added").
            throw new InvalidDataException($"{path}: the header names a key twice ({e.Message})");
        }
    }

    /// <summary>Reads every tensor of <paramref name="path"/> onto <paramref name="device"/>; errors name the file and the tensor.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path, Device? device = null)
    {
        var (header, bytes) = ReadHeader(path, headerOnly: false);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        long dataStart = 8 + n, dataLength = bytes.Length - dataStart;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = Metadata(header, path);
        var ranges = new List<(long Start, long End, string Name)>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                var entry = node?.AsObject() ?? throw new InvalidDataException($"{path}: tensor '{name}' has no description");
                var dtype = Parse(entry["dtype"]!.GetValue<string>(), path, name);
                var shape = new Shape(entry["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());
                var offsets = entry["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
                long expected = (long)shape.Numel * dtype.Size();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != expected)
                    throw new InvalidDataException(
                        $"{path}: tensor '{name}' ({dtype.Name()} {shape}, {expected} bytes) has data offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes");
                ranges.Add((offsets[0], offsets[1], name));
                var span = bytes.AsSpan((int)(dataStart + offsets[0]), (int)expected);
                tensors[name] = FromBytes(span, dtype, shape, device);
            }
            // As safetensors' own loader: tensors may not share bytes (one write would change two tensors).
            ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
            for (int i = 1; i < ranges.Count; i++)
                if (ranges[i].Start < ranges[i - 1].End)
                    throw new InvalidDataException($"{path}: tensors '{ranges[i - 1].Name}' and '{ranges[i].Name}' overlap in the data (offsets {ranges[i - 1].Start}..{ranges[i - 1].End} and {ranges[i].Start}..{ranges[i].End})");
        }
        catch (Exception e)
        {
            foreach (var t in tensors.Values) t.Dispose();
            if (e is InvalidDataException) throw;
            throw new InvalidDataException($"{path}: malformed header ({e.Message})");
        }
        return (tensors, metadata);
    }

    private static byte[] HostBytes(Tensor t) => t.DType switch
    {
        DType.Float32 => ToLittleEndian(t.ToArray<float>()),
        DType.Float64 => ToLittleEndian(t.ToArray<double>()),
        _ => ToLittleEndian(t.ToArray<Half>()),
    };

    private static byte[] ToLittleEndian<T>(T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors I/O assumes a little-endian host");
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, Shape shape, Device? device) => dtype switch
    {
        DType.Float32 => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape, device),
        DType.Float64 => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape, device),
        _ => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes).ToArray(), shape, device),
    };
}
