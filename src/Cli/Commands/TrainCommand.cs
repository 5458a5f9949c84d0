using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Training;
using VoxelGan.Layers;
using VoxelGan.Tensors;

namespace VoxelGan.Cli.Commands;

/// <summary><c>voxelgan train</c>: WGAN-GP training into a run folder, resumable.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var options = new GanOptions();
        var data = new Option<string>("--data") { Description = "folder of n^3 training volumes, or 'spheres' for the embedded generated default" , DefaultValueFactory = _ => "spheres" };
        var dataCount = new Option<int>("--data-count") { Description = "with --data spheres: how many volumes (the code uses 1000)", DefaultValueFactory = _ => new DataSpec("spheres").Count };
        var dataStyle = new ChoiceOption<SphereStyle>("--data-style", "with --data spheres: the authors' generator (integer centres in [0, n-2], clipped, overlapping) or periodic non-overlapping packings",
            new DataSpec("spheres").Style, ("authors", SphereStyle.Authors), ("periodic", SphereStyle.Periodic));
        var output = new Option<DirectoryInfo?>("--out") { Description = "new run folder (e.g. runs/NAME)" };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "continue the run in this folder from its latest.safetensors (--iterations may extend it)" };
        var command = new Command("train", "Train the 3D WGAN-GP; writes config.json, metrics.jsonl, checkpoints and sample slices to the run folder.") { data, dataCount, dataStyle.Option, output, resume };
        options.AddArchitecture(command);
        options.AddTraining(command);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var (device, _) = GlobalOptions.OpenDevice(parse);
            using (device)
            {
                TrainingRun run;
                if (parse.GetValue(resume) is { } folder)
                {
                    long? iterations = parse.GetResult(options.Iterations) is { Implicit: false } ? parse.GetValue(options.Iterations) : null;
                    run = TrainingRun.Resume(folder.FullName, device, iterations);
                    foreach (var skipped in run.Skipped) Console.Error.WriteLine($"warning: skipped unreadable checkpoint {skipped}");
                    Console.WriteLine($"resuming {folder.FullName} at step {run.Trainer.Step} of {run.Config.Train.Iterations} from {run.ResumedFrom}");
                }
                else
                {
                    var outDir = parse.GetValue(output) ?? throw new ArgumentException("give --out runs/NAME for a new run, or --resume runs/NAME");
                    var spec = new DataSpec(parse.GetValue(data)!, parse.GetValue(dataCount), parse.GetValue(options.Seed), dataStyle.Get(parse));
                    if (spec.IsSpheres && spec.Count < 1) throw new ArgumentException($"--data-count must be positive, got {spec.Count}");
                    run = TrainingRun.Start(outDir.FullName, options.Config(parse), options.Train(parse), spec, device);
                }
                using (run) return Loop(run);
            }
        }));
        return command;
    }

    /// <summary>Runs the loop with a progress bar; Ctrl-C or SIGTERM finish the step, save and exit cleanly.</summary>
    internal static int Loop(TrainingRun run)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        var cfg = run.Config;
        Console.WriteLine($"device {run.Trainer.Device}; {cfg.Gan.Size}^3, nGf {cfg.Gan.Ngf}, nDf {cfg.Gan.Ndf}, batch {cfg.Train.BatchSize}, {cfg.Train.Precision.Name()}; " +
                          $"generator {run.Trainer.Models.Generator.ParameterCount:N0}, critic {run.Trainer.Models.Critic.ParameterCount:N0} parameters");
        Console.WriteLine($"data {cfg.Data.Source}: mean {cfg.Stats.Mean:G4}, std {cfg.Stats.Std:G4}, lambda [{cfg.Stats.LambdaMin:G4}, {cfg.Stats.LambdaMax:G4}]; run folder {run.Folder}");
        try
        {
            using var progress = new ConsoleProgress("train", cfg.Train.Iterations, run.Trainer.Step);
            run.Run(stop.Token, m => progress.Report(m.Step, FormattableString.Invariant($"W {m.Wasserstein:F3} GP {m.GradientPenalty:F3} L_D {m.CriticLoss:F3}{(m.Skipped ? " (skipped: overflow)" : "")}")));
        }
        catch (NonFiniteLossException e)
        {
            Console.Error.WriteLine($"error: {e.Message}: {run.LastFiniteCheckpoint() ?? "no checkpoint with finite weights was written"}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (stop.IsCancellationRequested)
            Console.WriteLine($"interrupted at step {run.Trainer.Step}: saved {run.LatestPath}; continue with: voxelgan train --resume {run.Folder}");
        else
        {
            string sample = run.WriteSamples();
            Console.WriteLine($"done: {run.Trainer.Step} iterations; checkpoint {run.LatestPath}; samples {sample}");
        }
        return 0;
    }
}
