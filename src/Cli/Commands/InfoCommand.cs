using System.CommandLine;
using System.Runtime.InteropServices;
using VoxelGan.Tensors;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan info</c>: which device was chosen and why, its memory, and the versions in use.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the selected device (it describes itself: backend, threads, vector width), its memory and the versions in use.");
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var (device, source) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                Console.WriteLine($"{"VoxelGan",-10} {typeof(InfoCommand).Assembly.GetName().Version}");
                Console.WriteLine($"{"chosen by",-10} {source}");
                foreach (var (label, value) in device.Describe()) Console.WriteLine($"{label,-10} {value}");
                Console.WriteLine($"{"memory",-10} {device.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB{(device.Kind == DeviceKind.Cuda ? "" : " (host memory available to this process)")}");
                Console.WriteLine($"{"runtime",-10} {RuntimeInformation.RuntimeIdentifier}");
                Console.WriteLine($"{"cores",-10} {Environment.ProcessorCount}");
            }
            return 0;
        }));
        return command;
    }
}
