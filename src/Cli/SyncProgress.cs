namespace VoxelGan.Cli;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the calling thread, in order: .NET's
/// <see cref="Progress{T}"/> posts to the thread pool in a console app, so reports could arrive after
/// the progress bar was closed.
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
