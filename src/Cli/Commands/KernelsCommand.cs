using System.CommandLine;
using System.Text.RegularExpressions;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan kernels [--ptx DIR]</c>: lists every kernel and optionally writes its PTX.</summary>
internal static partial class KernelsCommand
{
    public static Command Create()
    {
        var ptx = new Option<DirectoryInfo?>("--ptx") { Description = "write each kernel's PTX (sm_80) to a .ptx file in this folder" };
        var command = new Command("kernels", "List every kernel of the library; with --ptx, compile each to PTX (no GPU needed).") { ptx };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var kernels = KernelCatalog.Discover(KernelCatalog.LibraryAssemblies());
            var dir = parse.GetValue(ptx);
            int failed = 0;
            foreach (var kernel in kernels)
            {
                if (dir is null) { Console.WriteLine(kernel.Name); continue; }
                var result = KernelCatalog.CompileToPtx(kernel);
                if (result.Ptx is null)
                {
                    failed++;
                    Console.Error.WriteLine($"FAILED {kernel.Name}: {result.Error}");
                    continue;
                }
                var path = Path.Combine(dir.FullName, FileName(kernel.Name) + ".ptx");
                AtomicFile.WriteAllText(path, result.Ptx);
                Console.WriteLine($"{kernel.Name} -> {path} ({result.Ptx.Length} chars)");
            }
            Console.WriteLine($"{kernels.Count} kernels{(dir is null ? "" : $", {kernels.Count - failed} compiled to PTX, {failed} failed")}");
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }

    private static string FileName(string kernelName) => UnsafeChars().Replace(kernelName, "_");

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeChars();
}
