namespace VoxelGan.Autograd;

/// <summary>
/// Whether operations on <see cref="Var"/>s record a graph (per thread). Evaluation and generation
/// run under <see cref="NoGrad"/>, which builds no graph and keeps no intermediate for backward.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static bool _disabled;

    /// <summary>True when new operations record backward rules.</summary>
    public static bool Enabled => !_disabled;

    /// <summary>Turns graph recording off until the returned handle is disposed.</summary>
    public static IDisposable NoGrad() => Set(enabled: false);

    /// <summary>Turns graph recording on (inside a <see cref="NoGrad"/> block) until disposed.</summary>
    public static IDisposable EnableGrad() => Set(enabled: true);

    internal static IDisposable Set(bool enabled)
    {
        var restore = new Restore(_disabled);
        _disabled = !enabled;
        return restore;
    }

    private sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => _disabled = previous;
    }
}
