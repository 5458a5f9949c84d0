using System.CommandLine;
using VoxelGan.Tensors;

namespace VoxelGan.Cli;

/// <summary>Options every command accepts, and the one place that turns them into a device.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Device = new("--device")
    {
        Description = $"cpu (SIMD host kernels), ilgpu-cpu (the GPU kernels on ILGPU's CPU accelerator), cuda or auto (default: ${Tensors.Device.EnvironmentVariable}, else auto: CUDA when present, else cpu)",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "on an error, also print its stack trace",
        Recursive = true,
    };

    /// <summary>Creates the device the user asked for and makes it the default; returns where the choice came from.</summary>
    public static (Device Device, string Source) OpenDevice(ParseResult parse)
    {
        string? flag = parse.GetValue(Device);
        string? env = Environment.GetEnvironmentVariable(Tensors.Device.EnvironmentVariable);
        var (kind, source) = flag is not null
            ? (Tensors.Device.ParseKind(flag, "--device"), "--device")
            : !string.IsNullOrWhiteSpace(env)
                ? (Tensors.Device.ParseKind(env, Tensors.Device.EnvironmentVariable), Tensors.Device.EnvironmentVariable)
                : (null, "auto");
        var device = Tensors.Device.Create(kind);
        Tensors.Device.SetDefault(device);
        return (device, source);
    }
}
