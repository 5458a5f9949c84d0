using System.CommandLine;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Generation;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan generate CHECKPOINT</c>: volumes from a trained generator.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<FileInfo>("checkpoint") { Description = "a .safetensors checkpoint written by voxelgan train (e.g. runs/NAME/latest.safetensors)" };
        var count = new Option<int>("--count") { Description = "number of volumes", DefaultValueFactory = _ => 16 };
        var sigma = new Option<double>("--sigma") { Description = "standard deviation of the latent vectors (sigma_pred)", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the latent vectors", DefaultValueFactory = _ => 1 };
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder", Required = true };
        var vti = new Option<bool>("--vti") { Description = "also write each raw volume as .vti (ParaView)" };
        var phases = new ChoiceOption<PhaseThreshold>("--binarize", "phase 1 above the training data's mean (standardized 0, the authors') or above the midpoint of its range",
            PhaseThreshold.DataMean, ("mean", PhaseThreshold.DataMean), ("midpoint", PhaseThreshold.RangeMidpoint));
        var weights = new ChoiceOption<GeneratorWeights>("--weights", "the moving average of the generator's weights when the run kept one (train --average-decay), else the trained weights; or always the trained weights",
            GeneratorWeights.Average, ("average", GeneratorWeights.Average), ("trained", GeneratorWeights.Trained));
        var overwrite = new Option<bool>("--overwrite") { Description = "replace the samples of an earlier generate in --out (otherwise a non-empty --out is refused)" };
        var command = new Command("generate", "Generate volumes: raw values (raw/), binary phase maps (phases/) and a PNG grid of centre slices.") { checkpoint, count, sigma, seed, output, vti, phases.Option, weights.Option, overwrite };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var file = parse.GetValue(checkpoint)!;
            int n = parse.GetValue(count);
            if (n < 1) throw new ArgumentException($"--count must be positive, got {n}");
            if (!(parse.GetValue(sigma) > 0)) throw new ArgumentException($"--sigma must be positive, got {parse.GetValue(sigma)}");
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                var dir = parse.GetValue(output)!.FullName;
                using var sampler = Sampler.FromCheckpoint(file.FullName, device, weights.Get(parse));
                sampler.Phases = phases.Get(parse);
                Sampler.PrepareFolder(dir, parse.GetValue(overwrite));
                string grid;
                using (var progress = new ConsoleProgress("generate", n))
                    grid = sampler.WriteAll(dir, n, parse.GetValue(sigma), parse.GetValue(seed), parse.GetValue(vti), new SyncProgress<int>(i => progress.Report(i)));
                int size = sampler.Config.Gan.Size;
                Console.WriteLine($"wrote {n} volumes of {size}^3 from the {(sampler.Averaged ? "averaged" : "trained")} weights to {dir} (raw/, phases/{(parse.GetValue(vti) ? ", vti/" : "")}) and {grid}");
            }
            return 0;
        }));
        return command;
    }
}
