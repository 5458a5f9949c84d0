using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Data;

/// <summary>
/// Reads and writes volumes by file extension: <c>.npy</c> (any numeric dtype, 3D; a 4D/5D array with
/// leading extents of 1 is squeezed), multi-page TIFF stacks (<c>.tif</c>, <c>.tiff</c>), <c>.raw</c>
/// (uint8 unless told otherwise, dimensions given), and VTK ImageData (<c>.vti</c>).
/// </summary>
public static class VolumeFile
{
    /// <summary>Extensions <see cref="Read"/> understands.</summary>
    public static readonly string[] Extensions = [".npy", ".tif", ".tiff", ".raw", ".vti"];

    /// <summary>Reads a volume; <paramref name="rawDims"/> (D, H, W) is needed for <c>.raw</c> only.</summary>
    public static Volume Read(string path, int[]? rawDims = null, string rawType = "uint8")
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{path} is a folder, not a volume file");
        InputFile.RequireRegular(path);
        var volume = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npy" => FromNpy(path),
            ".tif" or ".tiff" => TiffStack.Read(path),
            ".raw" => RawVolume.Read(path, rawDims ?? throw new ArgumentException($"{path}: a .raw volume needs --dims D,H,W"), rawType),
            ".vti" => VtiFile.Read(path),
            var e => throw new ArgumentException($"{path}: unknown volume format '{e}' (supported: {string.Join(", ", Extensions)})"),
        };
        // Every format: a NaN or infinite voxel would silently become phase 0 (or a "constant dataset").
        int bad = Array.FindIndex(volume.Values, v => !float.IsFinite(v));
        if (bad >= 0) throw new InvalidDataException($"{path}: voxel {volume.VoxelAt(bad)} is {volume.Values[bad]}, not a finite number");
        return volume;
    }

    /// <summary>Writes <c>.npy</c> (float32, or uint8 when <paramref name="asBytes"/>) or <c>.vti</c> by extension, atomically.</summary>
    public static void Write(string path, Volume volume, bool asBytes = false)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".npy" when asBytes:
                NpyFile.Write(path, volume.Values.Select(v => (byte)v).ToArray(), volume.D, volume.H, volume.W);
                break;
            case ".npy":
                NpyFile.Write(path, volume.Values, volume.D, volume.H, volume.W);
                break;
            case ".vti":
                VtiFile.Write(path, volume);
                break;
            default:
                throw new ArgumentException($"{path}: volumes are written as .npy or .vti");
        }
    }

    /// <summary>The volume files named: files as given, folders expanded to their volume files (sorted).</summary>
    public static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                var inside = Directory.EnumerateFiles(p).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).ToList();
                if (inside.Count == 0) throw new ArgumentException($"{p}: the folder holds no volume files ({string.Join(", ", Extensions)})");
                files.AddRange(inside);
            }
            else if (File.Exists(p)) files.Add(p);
            else throw new FileNotFoundException($"{p}: no such file or folder");
        }
        if (files.Count == 0) throw new ArgumentException("no volume files given");
        return files;
    }

    private static Volume FromNpy(string path)
    {
        var a = NpyFile.Read(path);
        // [1, 1, D, H, W] or [1, D, H, W] (a batch of one, as PyTorch writes) is a volume too.
        var dims = a.Shape.Length is 4 or 5 && a.Shape[..^3].All(e => e == 1) ? a.Shape[^3..] : a.Shape;
        if (dims.Length != 3)
            throw new ShapeException($"{path}: a volume is a 3D array, this one has shape ({string.Join(", ", a.Shape)})");
        if (dims.Any(e => e == 0)) throw new ShapeException($"{path}: the volume ({string.Join(", ", a.Shape)}) is empty");
        return new Volume(Array.ConvertAll(a.Values, v => (float)v), dims[0], dims[1], dims[2], path);
    }
}
