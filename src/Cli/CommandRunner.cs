using VoxelGan.Tensors;

namespace VoxelGan.Cli;

/// <summary>Runs a command body and turns the errors users can cause into one clear line and exit code 1.</summary>
internal static class CommandRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is DeviceException or ShapeException or ArgumentException or IOException
                                      or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
