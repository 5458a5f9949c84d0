using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using VoxelGan.Tensors;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan info</c>: which device was chosen and why, its memory, and the versions in use.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the selected device, its memory, and the ILGPU and .NET versions.");
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var (device, source) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                var acc = device.Accelerator;
                Console.WriteLine($"VoxelGan   {typeof(InfoCommand).Assembly.GetName().Version}");
                Console.WriteLine($"device     {device.Kind.ToString().ToLowerInvariant()} ({acc.Name}), chosen by {source}");
                Console.WriteLine($"memory     {device.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB{(device.Kind == DeviceKind.Cpu ? " (host memory available to this process)" : "")}");
                Console.WriteLine($"threads    {device.MaxLaunchThreads} per launch ({acc.NumMultiprocessors} multiprocessors x {acc.MaxNumThreadsPerMultiprocessor}, warp {acc.WarpSize})");
                Console.WriteLine($"ILGPU      {typeof(ILGPU.Context).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}");
                Console.WriteLine($".NET       {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
                Console.WriteLine($"cores      {Environment.ProcessorCount}");
            }
            return 0;
        }));
        return command;
    }
}
