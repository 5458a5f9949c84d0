using VoxelGan.Gan.Data;
using VoxelGan.Gan.Models;
using VoxelGan.Tensors;
using VoxelGan.TestSupport;

namespace VoxelGan.Gan.Tests;

/// <summary>What the training tests share: the test device, a temporary folder removed afterwards, a tiny GAN and sphere data for it.</summary>
public abstract class TinyGanTests : IDisposable
{
    protected TinyGanTests(string name) => Folder = Directory.CreateTempSubdirectory($"voxelgan-{name}-");

    protected static Device D => TestDevice.Instance;

    /// <summary>8^3, two filters, an 8-dimensional latent through two mapping layers: a training step in milliseconds.</summary>
    protected static readonly GanConfig Tiny = new() { Size = 8, Ngf = 2, Ndf = 2, LatentDim = 8, MappingLayers = 2 };

    protected DirectoryInfo Folder { get; }

    protected static Tensor SphereData(int count = 4) => Dataset.Spheres(count, 8, 1).ToTensor(D);

    public void Dispose()
    {
        Folder.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}
