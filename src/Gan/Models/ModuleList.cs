using VoxelGan.Layers;

namespace VoxelGan.Gan.Models;

/// <summary>A container that names its children by position (<c>0</c>, <c>1</c>, ...) or by a given name, as PyTorch's ModuleList/ModuleDict.</summary>
public sealed class ModuleList : Module
{
    private int _count;

    /// <summary>Adds <paramref name="module"/> under the next index.</summary>
    public T Add<T>(T module) where T : Module => AddModule((_count++).ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <summary>Adds <paramref name="module"/> under <paramref name="name"/>.</summary>
    public T Add<T>(string name, T module) where T : Module => AddModule(name, module);
}
