using System.CommandLine;
using System.Globalization;
using VoxelGan.Gan.Models;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan model</c>: per-layer parameter table of the generator and the critic.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var options = new GanOptions();
        var command = new Command("model", "Print the generator's and the critic's layers, shapes and trainable parameter counts.");
        options.AddArchitecture(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var config = options.Config(parse);
            // The counts do not depend on the device; the CPU keeps this quick and GPU-free.
            using var device = Device.Create(DeviceKind.Cpu);
            using var generator = new Generator(config, new RandomGenerator(0), device);
            using var critic = new Critic(config, new RandomGenerator(0), device);
            Print($"Generator ({config.Size}^3, nGf {config.Ngf}, filters {string.Join("-", generator.Filters)})", generator);
            Print($"Critic ({config.Size}^3, nDf {config.Ndf}, {config.Topology.ToString().ToLowerInvariant()}, filters {string.Join("-", critic.Filters)})", critic);
            Console.WriteLine($"generator {generator.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} trainable parameters");
            Console.WriteLine($"critic    {critic.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} trainable parameters");
            return 0;
        }));
        return command;
    }

    private static void Print(string title, Module module)
    {
        Console.WriteLine(title);
        Console.WriteLine($"  {"layer",-28} {"weight shape",-24} {"bias",6} {"parameters",12}");
        foreach (var layer in module.NamedParameters().GroupBy(p => p.Name[..p.Name.LastIndexOf('.')]))
        {
            var weight = layer.FirstOrDefault(p => p.Name.EndsWith(".weight", StringComparison.Ordinal)).Parameter;
            var bias = layer.FirstOrDefault(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)).Parameter;
            long count = layer.Sum(p => (long)p.Parameter.Shape.Numel);
            Console.WriteLine($"  {layer.Key,-28} {weight?.Shape.ToString() ?? "",-24} {bias?.Shape.Numel.ToString(CultureInfo.InvariantCulture) ?? "",6} {count.ToString("N0", CultureInfo.InvariantCulture),12}");
        }
    }
}
