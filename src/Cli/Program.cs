using System.CommandLine;
using VoxelGan.Cli;
using VoxelGan.Cli.Commands;

var root = new RootCommand("VoxelGan: 3D microstructure WGAN-GP and FFT homogenization on CUDA (ILGPU) or the CPU (SIMD C#).");
root.Options.Add(GlobalOptions.Device);
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
return root.Parse(args).Invoke();
