using System.CommandLine;
using System.Globalization;
using System.Text;
using VoxelGan.Fft;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Evaluation;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan correlate VOLUME...</c>: volume fraction p1 and radially averaged two-point correlation S2(r).</summary>
internal static class CorrelateCommand
{
    public static Command Create()
    {
        var volumes = VolumeOptions.Paths();
        var threshold = VolumeOptions.Threshold("phase 1 is above T (default: midway between the volume's smallest and largest value, 0.5 for 0/1 data)");
        var csv = new Option<FileInfo?>("--csv") { Description = "also write r and S2(r) of every volume to this CSV file" };
        var (dims, rawType) = (VolumeOptions.Dims(), VolumeOptions.RawType());
        var command = new Command("correlate", "Volume fraction p1 and periodic two-point correlation S2(r) of volumes (paper section 3.7).")
            { volumes, threshold, csv, dims, rawType };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var files = VolumeFile.Expand(parse.GetValue(volumes)!);
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                var all = new List<TwoPointCorrelation>();
                using (var progress = new ConsoleProgress("correlate", files.Count))
                {
                    for (int f = 0; f < files.Count; f++)
                    {
                        var volume = VolumeFile.Read(files[f], parse.GetValue(dims), parse.GetValue(rawType)!);
                        double t = parse.GetValue(threshold) ?? Volume.DefaultThreshold([volume]);
                        all.Add(Evaluator.Correlate(volume, t, device));
                        progress.Report(f + 1, Path.GetFileName(files[f]));
                        Console.WriteLine($"{files[f]}: {volume.D}x{volume.H}x{volume.W}, threshold {t.ToString("G6", CultureInfo.InvariantCulture)}, p1 {all[^1].P1.ToString("F6", CultureInfo.InvariantCulture)}");
                    }
                }
                int bins = all.Min(c => c.Radii.Length);
                Console.WriteLine($"{"r",4} {string.Concat(files.Select((_, i) => $"{(files.Count == 1 ? "S2(r)" : $"S2[{i}]"),12}"))}");
                for (int b = 0; b < bins; b++)
                    Console.WriteLine($"{all[0].Radii[b],4} {string.Concat(all.Select(c => c.S2[b].ToString("F6", CultureInfo.InvariantCulture).PadLeft(12)))}");
                if (parse.GetValue(csv) is { } file)
                {
                    var text = new StringBuilder("r," + string.Join(",", files.Select(f => "\"" + f.Replace("\"", "\"\"") + "\"")) + "\n");
                    for (int b = 0; b < bins; b++)
                        text.Append(all[0].Radii[b]).Append(',').AppendJoin(',', all.Select(c => c.S2[b].ToString("R", CultureInfo.InvariantCulture))).Append('\n');
                    AtomicFile.WriteAllText(file.FullName, text.ToString());
                    Console.WriteLine($"wrote {file.FullName}");
                }
            }
            return 0;
        }));
        return command;
    }
}
