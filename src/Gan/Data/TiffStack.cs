using System.Buffers.Binary;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Data;

/// <summary>
/// Multi-page TIFF stacks as micro-CT software exports them: one grey-value page per slice along axis 0,
/// uncompressed, one sample per pixel, 8/16/32-bit unsigned or signed integers or 32/64-bit floats, in
/// strips, either byte order (TIFF 6.0 baseline). Compressed or tiled pages are refused with a clear error.
/// </summary>
public static class TiffStack
{
    private const ushort Width = 256, Length = 257, BitsPerSample = 258, Compression = 259, Photometric = 262,
        StripOffsets = 273, SamplesPerPixel = 277, RowsPerStrip = 278, StripByteCounts = 279, TileWidth = 322, SampleFormat = 339;

    /// <summary>Reads every page of <paramref name="path"/> into a [pages, height, width] volume.</summary>
    public static Volume Read(string path)
    {
        var b = InputFile.ReadAllBytes(path);
        if (b.Length < 8 || !((b[0] == 'I' && b[1] == 'I') || (b[0] == 'M' && b[1] == 'M')))
            throw new InvalidDataException($"{path}: not a TIFF file (no II/MM byte-order mark)");
        bool big = b[0] == 'M';
        ushort U16(long o) => Check(o, 2) ? (big ? BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan((int)o)) : BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)o))) : (ushort)0;
        uint U32(long o) => Check(o, 4) ? (big ? BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)o)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)o))) : 0;
        bool Check(long o, int n) => o >= 0 && o + n <= b.Length ? true : throw new InvalidDataException($"{path}: truncated (offset {o} past the end)");
        if (U16(2) != 42) throw new InvalidDataException($"{path}: not a classic TIFF (BigTIFF is not supported)");
        // Walk the page chain first: pages may share one strip, so a small file can declare a huge
        // stack, and the total must be bounded before any page is expanded.
        int pageCount = 0;
        var chain = new HashSet<uint>();
        for (uint ifd = U32(4); ifd != 0; ifd = U32(ifd + 2 + 12L * U16(ifd)), pageCount++)
            if (!chain.Add(ifd)) throw new InvalidDataException($"{path}: the page chain loops");
        var pages = new List<float[]>();
        int w = 0, h = 0;
        var seen = new HashSet<uint>();
        for (uint ifd = U32(4); ifd != 0; )
        {
            if (!seen.Add(ifd)) throw new InvalidDataException($"{path}: the page chain loops");
            int entries = U16(ifd);
            var tags = new Dictionary<ushort, uint[]>();
            for (int e = 0; e < entries; e++)
            {
                long at = ifd + 2 + 12L * e;
                ushort tag = U16(at), type = U16(at + 2);
                uint count = U32(at + 4);
                int size = type switch { 3 => 2, 4 => 4, 1 => 1, _ => 0 };
                if (size == 0) continue; // rationals, ASCII and the like carry nothing this reader needs
                if ((long)size * count > b.Length)
                    throw new InvalidDataException($"{path}: tag {tag} of page {pages.Count} declares {count:N0} values, more than the file's {b.Length:N0} bytes hold");
                long data = size * count <= 4 ? at + 8 : U32(at + 8);
                tags[tag] = Enumerable.Range(0, (int)count).Select(i => size == 2 ? U16(data + 2L * i) : size == 4 ? U32(data + 4L * i) : b[data + i]).Select(v => (uint)v).ToArray();
            }
            uint Tag(ushort t, uint fallback) => tags.TryGetValue(t, out var v) ? v[0] : fallback;
            int page = pages.Count;
            if (tags.ContainsKey(TileWidth)) throw new NotSupportedException($"{path}: page {page} is tiled; only stripped TIFF is supported");
            if (Tag(Compression, 1) != 1) throw new NotSupportedException($"{path}: page {page} is compressed (scheme {Tag(Compression, 1)}); save the stack uncompressed");
            if (Tag(SamplesPerPixel, 1) != 1) throw new NotSupportedException($"{path}: page {page} has {Tag(SamplesPerPixel, 1)} samples per pixel; a grey-value stack has 1");
            int pw = (int)Tag(Width, 0), ph = (int)Tag(Length, 0), bits = (int)Tag(BitsPerSample, 1), format = (int)Tag(SampleFormat, 1);
            if (pw < 1 || ph < 1) throw new InvalidDataException($"{path}: page {page} has no size");
            if (page == 0) Volume.CheckedVoxelCount(pageCount, ph, pw, $"{path} ({pageCount} pages)");
            if (page == 0) (w, h) = (pw, ph);
            else if ((pw, ph) != (w, h)) throw new InvalidDataException($"{path}: page {page} is {pw}x{ph}, page 0 is {w}x{h}; all pages of a stack must match");
            if (!tags.TryGetValue(StripOffsets, out var offsets) || !tags.TryGetValue(StripByteCounts, out var counts))
                throw new InvalidDataException($"{path}: page {page} has no strips");
            var raw = new List<byte>();
            for (int s = 0; s < offsets.Length; s++) { Check(offsets[s], (int)counts[s]); raw.AddRange(b.AsSpan((int)offsets[s], (int)counts[s]).ToArray()); }
            int bytesPer = bits / 8;
            if (raw.Count < (long)pw * ph * bytesPer) throw new InvalidDataException($"{path}: page {page} holds {raw.Count} bytes, {pw}x{ph} at {bits} bits needs {(long)pw * ph * bytesPer}");
            var px = raw.ToArray();
            var values = new float[pw * ph];
            for (int i = 0; i < values.Length; i++)
            {
                var s = px.AsSpan(i * bytesPer, bytesPer);
                values[i] = (bits, format) switch
                {
                    (8, 1) => s[0],
                    (8, 2) => (sbyte)s[0],
                    (16, 1) => big ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
                    (16, 2) => big ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s),
                    (32, 1) => big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
                    (32, 2) => big ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s),
                    (32, 3) => big ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s),
                    (64, 3) => (float)(big ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s)),
                    _ => throw new NotSupportedException($"{path}: page {page} has {bits}-bit samples of format {format}; 8/16/32-bit integers and 32/64-bit floats are supported"),
                };
            }
            pages.Add(values);
            ifd = U32(ifd + 2 + 12L * entries);
        }
        if (pages.Count == 0) throw new InvalidDataException($"{path}: the TIFF has no pages");
        return new Volume(pages.SelectMany(p => p).ToArray(), pages.Count, h, w, path);
    }

    /// <summary>Writes a float32 little-endian stack, one page per slice along axis 0 (readable by ImageJ/Fiji), atomically.</summary>
    public static void Write(string path, Volume v)
    {
        const int entries = 9;
        int pageBytes = v.H * v.W * 4, ifdBytes = 2 + 12 * entries + 4;
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true);
            w.Write((byte)'I'); w.Write((byte)'I'); w.Write((ushort)42); w.Write(8u);
            for (int p = 0; p < v.D; p++)
            {
                long ifd = 8 + (long)p * (ifdBytes + pageBytes);
                long data = ifd + ifdBytes;
                w.Write((ushort)entries);
                void Entry(ushort tag, ushort type, uint value) { w.Write(tag); w.Write(type); w.Write(1u); if (type == 3) { w.Write((ushort)value); w.Write((ushort)0); } else w.Write(value); }
                Entry(Width, 4, (uint)v.W); Entry(Length, 4, (uint)v.H); Entry(BitsPerSample, 3, 32); Entry(Compression, 3, 1);
                Entry(Photometric, 3, 1); Entry(StripOffsets, 4, (uint)data); Entry(SamplesPerPixel, 3, 1);
                Entry(StripByteCounts, 4, (uint)pageBytes); Entry(SampleFormat, 3, 3);
                w.Write(p + 1 < v.D ? (uint)(data + pageBytes) : 0u);
                for (int i = 0; i < v.H * v.W; i++) w.Write(v.Values[p * v.H * v.W + i]);
            }
        });
    }
}
