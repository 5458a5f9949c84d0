using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Data;

/// <summary>
/// VTK XML ImageData (<c>.vti</c>, ParaView) with one scalar array of cell data: voxel (a, b, c) of a
/// [D, H, W] volume is the cell at x = c, y = b, z = a (VTK runs x fastest, as our W axis does).
/// Writes inline base64 binary with a UInt64 size header; reads that, UInt32 headers, and ascii,
/// point or cell data, uncompressed (compressed or appended data are refused with a clear error).
/// </summary>
public static class VtiFile
{
    /// <summary>Writes <paramref name="v"/> as float32 cell data named <c>values</c>, atomically.</summary>
    public static void Write(string path, Volume v)
    {
        var data = new byte[8 + 4L * v.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)(4L * v.Count));
        for (int i = 0; i < v.Count; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8 + 4 * i), v.Values[i]);
        string extent = $"0 {v.W} 0 {v.H} 0 {v.D}";
        var xml = new StringBuilder()
            .AppendLine("<?xml version=\"1.0\"?>")
            .AppendLine("<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">")
            .AppendLine($"  <ImageData WholeExtent=\"{extent}\" Origin=\"0 0 0\" Spacing=\"1 1 1\">")
            .AppendLine($"    <Piece Extent=\"{extent}\">")
            .AppendLine("      <CellData Scalars=\"values\">")
            .Append("        <DataArray type=\"Float32\" Name=\"values\" format=\"binary\">").Append(Convert.ToBase64String(data)).AppendLine("</DataArray>")
            .AppendLine("      </CellData>")
            .AppendLine("    </Piece>")
            .AppendLine("  </ImageData>")
            .AppendLine("</VTKFile>");
        AtomicFile.WriteAllText(path, xml.ToString());
    }

    /// <summary>Reads the first scalar array of a <c>.vti</c> file as a [D, H, W] volume.</summary>
    public static Volume Read(string path)
    {
        XDocument doc;
        try
        {
            using var stream = InputFile.OpenRead(path);
            doc = XDocument.Load(stream);
        }
        catch (System.Xml.XmlException e) { throw new InvalidDataException($"{path}: not valid XML ({e.Message})"); }
        var root = doc.Root;
        if (root?.Name != "VTKFile" || (string?)root.Attribute("type") != "ImageData") throw new InvalidDataException($"{path}: not a VTK ImageData file");
        if (root.Attribute("compressor") is not null) throw new NotSupportedException($"{path}: compressed .vti is not supported; save it uncompressed");
        bool big = (string?)root.Attribute("byte_order") == "BigEndian";
        bool header64 = (string?)root.Attribute("header_type") == "UInt64";
        var image = root.Element("ImageData") ?? throw new InvalidDataException($"{path}: no ImageData element");
        var extent = ((string?)image.Attribute("WholeExtent") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new InvalidDataException($"{path}: WholeExtent value '{t}' is not an integer")).ToArray();
        if (extent.Length != 6) throw new InvalidDataException($"{path}: WholeExtent must have 6 numbers");
        var array = image.Descendants("DataArray").FirstOrDefault() ?? throw new InvalidDataException($"{path}: no DataArray");
        bool cells = array.Parent?.Name == "CellData";
        int o = cells ? 0 : 1;
        long w = (long)extent[1] - extent[0] + o, h = (long)extent[3] - extent[2] + o, d = (long)extent[5] - extent[4] + o;
        if (w < 1 || h < 1 || d < 1) throw new InvalidDataException($"{path}: empty extent {string.Join(" ", extent)}");
        int count = Volume.CheckedVoxelCount(d, h, w, path);
        string type = (string?)array.Attribute("type") ?? "Float32", format = (string?)array.Attribute("format") ?? "ascii";
        if ((int?)array.Attribute("NumberOfComponents") is int comps && comps != 1) throw new NotSupportedException($"{path}: the array has {comps} components; a volume has 1");
        float[] values;
        if (format == "ascii")
        {
            values = array.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : throw new InvalidDataException($"{path}: ascii value '{t}' is not a number")).ToArray();
        }
        else if (format == "binary")
        {
            byte[] bytes;
            try { bytes = Convert.FromBase64String(array.Value.Trim()); }
            catch (FormatException) { throw new InvalidDataException($"{path}: the binary DataArray is not valid base64"); }
            if (bytes.Length < (header64 ? 8 : 4)) throw new InvalidDataException($"{path}: the binary DataArray is {bytes.Length} bytes, shorter than its size header");
            int skip = header64 ? 8 : 4, size = type switch { "UInt8" or "Int8" => 1, "UInt16" or "Int16" => 2, "Float64" or "Int64" or "UInt64" => 8, _ => 4 };
            values = new float[(bytes.Length - skip) / size];
            for (int i = 0; i < values.Length; i++)
            {
                var s = bytes.AsSpan(skip + i * size, size).ToArray();
                if (big) Array.Reverse(s);
                values[i] = type switch
                {
                    "UInt8" => s[0], "Int8" => (sbyte)s[0], "UInt16" => BitConverter.ToUInt16(s), "Int16" => BitConverter.ToInt16(s),
                    "Int32" => BitConverter.ToInt32(s), "UInt32" => BitConverter.ToUInt32(s), "Float32" => BitConverter.ToSingle(s),
                    "Float64" => (float)BitConverter.ToDouble(s), "Int64" => BitConverter.ToInt64(s), "UInt64" => BitConverter.ToUInt64(s),
                    _ => throw new NotSupportedException($"{path}: DataArray type {type} is not supported"),
                };
            }
        }
        else throw new NotSupportedException($"{path}: DataArray format '{format}' is not supported (ascii, binary)");
        if (values.Length != count) throw new InvalidDataException($"{path}: extent {w}x{h}x{d} needs {count} values, the array has {values.Length}");
        return new Volume(values, (int)d, (int)h, (int)w, path);
    }
}
