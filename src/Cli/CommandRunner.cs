using VoxelGan.Tensors;

namespace VoxelGan.Cli;

/// <summary>
/// The one top-level handler: runs a command body and turns any exception into one line
/// <c>error: ...</c> on stderr and exit code 1. Errors users cause (bad files, shapes, values, devices)
/// print their message; anything else prints its type too, and the stack trace only with <c>--verbose</c>.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Set from <c>--verbose</c> before the command runs.</summary>
    public static bool Verbose { get; set; }

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is DeviceException or ShapeException or ArgumentException or IOException
                                      or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            Report(e.Message, e);
            return 1;
        }
        catch (Exception e)
        {
            Report($"{e.Message} ({e.GetType().Name}; this is a bug or an unchecked limit: please report it{(Verbose ? "" : ", with the output of --verbose")})", e);
            return 1;
        }
    }

    private static void Report(string message, Exception e)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        if (Verbose) Console.Error.WriteLine(e);
    }
}
