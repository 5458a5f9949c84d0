using VoxelGan.Tensors;

namespace VoxelGan.Layers;

/// <summary>Saving and restoring a module's parameters (and any extra state, such as an optimiser's) as one <c>.safetensors</c> file.</summary>
public static class Checkpoint
{
    /// <summary>
    /// Writes every parameter of <paramref name="module"/> under its dotted name, plus <paramref name="extra"/>
    /// tensors (optimiser state, under their own prefixes), atomically.
    /// </summary>
    public static void Save(string path, Module module, IEnumerable<KeyValuePair<string, Tensor>>? extra = null,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Save(path, module.StateDict().Concat(extra ?? []), metadata);

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/>. Entries whose names start with one of
    /// <paramref name="extraPrefixes"/> are returned instead (the caller owns them); every other entry
    /// must match a parameter exactly, and the error names what is missing, unexpected or mis-shaped.
    /// </summary>
    public static (Dictionary<string, Tensor> Extra, Dictionary<string, string> Metadata) Load(string path, Module module, params string[] extraPrefixes)
    {
        var device = module.Parameters().FirstOrDefault()?.Device;
        var (tensors, metadata) = SafeTensors.Load(path, device);
        var extra = tensors.Where(t => extraPrefixes.Any(p => t.Key.StartsWith(p, StringComparison.Ordinal))).ToDictionary();
        var own = tensors.Where(t => !extra.ContainsKey(t.Key)).ToDictionary();
        try
        {
            module.LoadStateDict(own, path);
        }
        catch
        {
            foreach (var t in extra.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in own.Values) t.Dispose();
        }
        return (extra, metadata);
    }
}
