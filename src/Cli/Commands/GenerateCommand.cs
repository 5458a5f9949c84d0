using System.CommandLine;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Figures;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan generate CHECKPOINT</c>: volumes from a trained generator.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<FileInfo>("checkpoint") { Description = "a .safetensors checkpoint written by voxelgan train (e.g. runs/NAME/latest.safetensors)" };
        var count = new Option<int>("--count") { Description = "number of volumes", DefaultValueFactory = _ => 16 };
        var sigma = new Option<double>("--sigma") { Description = "standard deviation of the latent vectors (sigma_pred)", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent vectors", DefaultValueFactory = _ => 1 };
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder", Required = true };
        var vti = new Option<bool>("--vti") { Description = "also write each raw volume as .vti (ParaView)" };
        var command = new Command("generate", "Generate volumes: raw values (raw/), binary phase maps (phases/) and a PNG grid of centre slices.") { checkpoint, count, sigma, seed, output, vti };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var file = parse.GetValue(checkpoint)!;
            int n = parse.GetValue(count);
            if (n < 1) throw new ArgumentException($"--count must be positive, got {n}");
            if (!(parse.GetValue(sigma) > 0)) throw new ArgumentException($"--sigma must be positive, got {parse.GetValue(sigma)}");
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                var config = ReadConfig(file.FullName);
                using var models = new GanPair(config.Gan, 0, device);
                var (extra, _) = Checkpoint.Load(file.FullName, models, "optimizer.");
                foreach (var t in extra.Values) t.Dispose();
                var dir = parse.GetValue(output)!.FullName;
                int size = config.Gan.Size, voxels = size * size * size;
                var slices = new List<float[]>();
                using var progress = new ConsoleProgress("generate", n);
                for (int start = 0; start < n; start += 8)
                {
                    int batch = Math.Min(8, n - start);
                    using var volumes = Trainer.Generate(models.Generator, batch, parse.GetValue(sigma), parse.GetValue(seed) + (ulong)start, device);
                    var values = volumes.ToArray<float>();
                    for (int i = 0; i < batch; i++)
                    {
                        var standardized = values.AsSpan(i * voxels, voxels).ToArray();
                        var raw = Array.ConvertAll(standardized, v => (float)config.Stats.ToRaw(v));
                        var volume = new Volume(raw, size, size, size, $"sample_{start + i:D4}");
                        var phases = Array.ConvertAll(standardized, v => v > config.Stats.Threshold ? (byte)1 : (byte)0);
                        string name = volume.Source;
                        NpyFile.Write(Path.Combine(dir, "raw", name + ".npy"), raw, size, size, size);
                        NpyFile.Write(Path.Combine(dir, "phases", name + ".npy"), phases, size, size, size);
                        if (parse.GetValue(vti)) VtiFile.Write(Path.Combine(dir, "vti", name + ".vti"), volume);
                        if (slices.Count < 16) slices.Add(volume.CentreSlice());
                        progress.Report(start + i + 1);
                    }
                }
                var grid = Path.Combine(dir, "slices.png");
                SliceGrid.Save(grid, slices, size, size, config.Stats.ToRaw(config.Stats.LambdaMin), config.Stats.ToRaw(config.Stats.LambdaMax), columns: 4, zoom: Math.Max(1, 128 / size));
                Console.WriteLine($"wrote {n} volumes of {size}^3 to {dir} (raw/, phases/{(parse.GetValue(vti) ? ", vti/" : "")}) and {grid}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The run configuration stored in a checkpoint's metadata.</summary>
    internal static RunConfig ReadConfig(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint");
        var metadata = SafeTensors.ReadMetadata(path);
        return metadata.TryGetValue("run_config", out var json) ? RunConfig.FromJson(json, path)
            : throw new InvalidDataException($"{path}: no run configuration in the checkpoint metadata; was it written by voxelgan train?");
    }
}
