using VoxelGan.Cli.Commands;
using VoxelGan.Gan.Training;

namespace VoxelGan.Cli;

/// <summary>
/// The console side of the pipelines (<c>demo</c>, <c>reproduce</c>): stage lines, the training loop of
/// <c>train</c> (so Ctrl-C behaves the same), a bar over the generated volumes and one over the two
/// evaluated sets. Dispose it before printing the results, so the bars are finished.
/// </summary>
internal sealed class PipelineProgress(int volumes) : IDisposable
{
    private ConsoleProgress? _generating, _evaluating;
    private int _evaluated;

    /// <summary>The training loop's exit code (0 unless training failed).</summary>
    public int TrainCode { get; private set; }

    /// <summary>Runs <see cref="TrainCommand.Loop"/>; true when every iteration is done.</summary>
    public bool Train(TrainingRun run) => (TrainCode = TrainCommand.Loop(run)) == 0 && run.Trainer.Step >= run.Config.Train.Iterations;

    /// <summary>Prints each stage line.</summary>
    public IProgress<string> Stage { get; } = new SyncProgress<string>(Console.WriteLine);

    /// <summary>Counts generated volumes.</summary>
    public IProgress<int> Generated => new SyncProgress<int>(i => (_generating ??= new ConsoleProgress("generate", volumes)).Report(i));

    /// <summary>Counts evaluated sets (ends the generation bar first).</summary>
    public IProgress<string> Evaluated => new SyncProgress<string>(m =>
    {
        _generating?.Dispose();
        _generating = null;
        (_evaluating ??= new ConsoleProgress("evaluate", 2)).Report(++_evaluated, m);
    });

    /// <inheritdoc />
    public void Dispose()
    {
        _generating?.Dispose();
        _evaluating?.Dispose();
    }
}
