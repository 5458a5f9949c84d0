using System.CommandLine;
using VoxelGan.Cli;
using VoxelGan.Cli.Commands;

var root = new RootCommand("VoxelGan: 3D microstructure WGAN-GP and FFT homogenization on CUDA (ILGPU) or the CPU (SIMD C#).");
root.Options.Add(GlobalOptions.Device);
root.Options.Add(GlobalOptions.Verbose);
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(KernelsCommand.Create());
root.Subcommands.Add(HomogenizeCommand.Create());
root.Subcommands.Add(CorrelateCommand.Create());
root.Subcommands.Add(DataCommands.Spheres());
root.Subcommands.Add(DataCommands.Fibres());
root.Subcommands.Add(DataCommands.Slice());
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ReproduceCommand.Create());
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One error line per problem and a one-line hint, instead of the whole help text on stdout.
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    var command = parse.CommandResult.Command;
    Console.Error.WriteLine($"hint: voxelgan {(ReferenceEquals(command, root) ? "" : command.Name + " ")}--help lists the options");
    return 1;
}
CommandRunner.Verbose = parse.GetValue(GlobalOptions.Verbose);
return parse.Invoke();
