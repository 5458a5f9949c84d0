using System.CommandLine;
using VoxelGan.Cli;
using VoxelGan.Cli.Commands;

var root = new RootCommand("VoxelGan: 3D microstructure WGAN-GP and FFT homogenization on ILGPU (CUDA or CPU).");
root.Options.Add(GlobalOptions.Device);
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(KernelsCommand.Create());
root.Subcommands.Add(HomogenizeCommand.Create());
root.Subcommands.Add(CorrelateCommand.Create());
return root.Parse(args).Invoke();
