using System.CommandLine;

namespace VoxelGan.Cli;

/// <summary>The options of every command that reads volumes, defined once.</summary>
internal static class VolumeOptions
{
    public static Argument<string[]> Paths() => new("volumes")
    {
        Description = "volume files (.npy, .tif/.tiff stack, .raw with --dims, .vti) or folders of them",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<double?> Threshold(string description) => new("--threshold") { Description = description };

    public static Option<int[]?> Dims() => new("--dims")
    {
        Description = "extents D,H,W of .raw files",
        CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return null;
            var parts = r.Tokens[0].Value.Split(',');
            if (parts.Length == 3 && parts.All(s => int.TryParse(s, out int v) && v > 0)) return parts.Select(int.Parse).ToArray();
            r.AddError($"--dims must be three positive integers D,H,W, got '{r.Tokens[0].Value}'");
            return null;
        },
    };

    public static Option<string> RawType() => new("--raw-type") { Description = "element type of .raw files: uint8, uint16 or float32", DefaultValueFactory = _ => "uint8" };
}
