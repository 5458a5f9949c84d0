using System.CommandLine;
using VoxelGan.Gan.Data;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan spheres</c>, <c>fibres</c> and <c>slice</c>: the datasets of DESIGN.md section 4.</summary>
internal static class DataCommands
{
    public static Command Spheres()
    {
        var count = new Option<int>("--count") { Description = "number of volumes", DefaultValueFactory = _ => 100 };
        var size = new Option<int>("--size") { Description = "edge length in voxels", DefaultValueFactory = _ => 32 };
        var radius = new Option<double>("--radius") { Description = "sphere radius in voxels (paper: 4 at 32^3, 8 at 64^3)", DefaultValueFactory = _ => 4 };
        var fraction = new Option<double>("--fraction") { Description = "inclusion volume fraction", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "random seed (volume i uses seed*7919 + i)", DefaultValueFactory = _ => 0 };
        var style = new ChoiceOption<SphereStyle>("--style", "periodic non-overlapping, wrapping packings or the authors' generator (integer centres in [0, n-2], clipped, overlapping)",
            SphereStyle.Periodic, ("periodic", SphereStyle.Periodic), ("authors", SphereStyle.Authors));
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder for sphere_NNNN.npy (uint8)", Required = true };
        var command = new Command("spheres", "Generate spherical-inclusion volumes (.npy, uint8 0/1).") { count, size, radius, fraction, seed, style.Option, output };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(count), s = parse.GetValue(size);
            if (n < 1) throw new ArgumentException($"--count must be positive, got {n}");
            var st = style.Get(parse);
            var dir = parse.GetValue(output)!.FullName;
            using var progress = new ConsoleProgress("spheres", n);
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                var phases = SpherePacking.Generate(s, parse.GetValue(radius), parse.GetValue(fraction), parse.GetValue(seed) * 7919 + i, st);
                total += phases.Count(p => p == 1) / (double)phases.Length;
                NpyFile.Write(Path.Combine(dir, $"sphere_{i:D4}.npy"), phases, s, s, s);
                progress.Report(i + 1);
            }
            Console.WriteLine($"wrote {n} volumes of {s}^3 to {dir}, mean inclusion fraction {total / n:F4}");
            return 0;
        }));
        return command;
    }

    public static Command Fibres()
    {
        var size = new Option<int>("--size") { Description = "edge length of the cubic volume", DefaultValueFactory = _ => 128 };
        var radius = new Option<double>("--radius") { Description = "fibre radius in voxels", DefaultValueFactory = _ => 2 };
        var length = new Option<double>("--length") { Description = "fibre length in voxels", DefaultValueFactory = _ => 40 };
        var fraction = new Option<double>("--fraction") { Description = "fibre volume fraction", DefaultValueFactory = _ => 0.15 };
        var cone = new Option<double>("--cone") { Description = "half-angle in degrees of fibre directions around axis 2", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "random seed" };
        var output = new Option<FileInfo>("--out") { Description = "output volume (.npy, .vti or .tif)", Required = true };
        var command = new Command("fibres", "Generate a synthetic short-fibre composite volume (a stand-in for a micro-CT scan).") { size, radius, length, fraction, cone, seed, output };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(size);
            if (n < 1) throw new ArgumentException($"--size must be positive, got {n}");
            var phases = FibreComposite.Generate(n, n, n, parse.GetValue(radius), parse.GetValue(length), parse.GetValue(fraction), parse.GetValue(seed), parse.GetValue(cone));
            var path = parse.GetValue(output)!.FullName;
            var volume = new Volume(Array.ConvertAll(phases, p => (float)p), n, n, n, path);
            if (path.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tiff", StringComparison.OrdinalIgnoreCase)) TiffStack.Write(path, volume);
            else VolumeFile.Write(path, volume, asBytes: true);
            Console.WriteLine($"wrote {path}: {n}^3, fibre fraction {phases.Count(p => p == 1) / (double)phases.Length:F4}");
            return 0;
        }));
        return command;
    }

    public static Command Slice()
    {
        var volume = new Argument<string>("volume") { Description = "the scan (.npy, .tif stack, .raw with --dims, .vti)" };
        var size = new Option<int>("--size") { Description = "sub-volume edge", DefaultValueFactory = _ => 64 };
        var count = new Option<int>("--count") { Description = "number of sub-volumes", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "random seed of the Latin hypercube" };
        var threshold = VolumeOptions.Threshold("binarize: above T is phase 1 (needed unless the volume is already 0/1)");
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder for sub_NNNN.npy (uint8)", Required = true };
        var (dims, rawType) = (VolumeOptions.Dims(), VolumeOptions.RawType());
        var command = new Command("slice", "Cut binary sub-volumes from a scan by Latin hypercube sampling of their corners.") { volume, size, count, seed, threshold, output, dims, rawType };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var v = VolumeFile.Read(parse.GetValue(volume)!, parse.GetValue(dims), parse.GetValue(rawType)!);
            if (parse.GetValue(threshold) is double t) v = v with { Values = Array.ConvertAll(v.Binarize(t), p => (float)p) };
            else if (!v.IsBinary)
            {
                int i = Array.FindIndex(v.Values, x => x is not (0f or 1f));
                throw new InvalidDataException($"{v.Source}: not binary (voxel {v.VoxelAt(i)} is {v.Values[i]}); pass --threshold T to binarize the scan");
            }
            int s = parse.GetValue(size), n = parse.GetValue(count);
            if (s < 1) throw new ArgumentException($"--size must be positive, got {s}");
            var corners = LatinHypercube.Corners(n, s, [v.D, v.H, v.W], parse.GetValue(seed));
            var dir = parse.GetValue(output)!.FullName;
            using var progress = new ConsoleProgress("slice", n);
            for (int i = 0; i < n; i++)
            {
                var sub = LatinHypercube.Cut(v, corners[i], s, $"sub_{i:D4}");
                NpyFile.Write(Path.Combine(dir, $"sub_{i:D4}.npy"), Array.ConvertAll(sub.Values, x => (byte)x), s, s, s);
                progress.Report(i + 1);
            }
            Console.WriteLine($"wrote {n} sub-volumes of {s}^3 from {v.Source} ({v.D}x{v.H}x{v.W}) to {dir}");
            return 0;
        }));
        return command;
    }
}
