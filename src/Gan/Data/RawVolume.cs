using System.Buffers.Binary;

using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Data;

/// <summary>Headerless little-endian voxel files: D*H*W elements of uint8, uint16 or float32, row-major [D, H, W].</summary>
public static class RawVolume
{
    /// <summary>Reads <paramref name="path"/> as a [D, H, W] volume of <paramref name="type"/>.</summary>
    public static Volume Read(string path, int[] dims, string type = "uint8")
    {
        if (dims.Length != 3 || dims.Any(e => e < 1)) throw new ArgumentException($"{path}: --dims must be three positive extents D,H,W, got {string.Join(",", dims)}");
        int size = type switch
        {
            "uint8" => 1, "uint16" => 2, "float32" => 4,
            _ => throw new ArgumentException($"{path}: raw element type '{type}' is not supported (uint8, uint16, float32)"),
        };
        int count = Volume.CheckedVoxelCount(dims[0], dims[1], dims[2], path);
        InputFile.RequireRegular(path);
        long length = new FileInfo(path).Length;
        if (length != (long)count * size)
            throw new InvalidDataException($"{path}: {dims[0]}x{dims[1]}x{dims[2]} {type} voxels need {(long)count * size:N0} bytes, the file has {length:N0}");
        var bytes = InputFile.ReadAllBytes(path);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = type switch
            {
                "uint8" => bytes[i],
                "uint16" => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)),
                _ => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i)),
            };
        return new Volume(values, dims[0], dims[1], dims[2], path);
    }
}
