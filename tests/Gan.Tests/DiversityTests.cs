using VoxelGan.Gan.Data;
using VoxelGan.Gan.Evaluation;

namespace VoxelGan.Gan.Tests;

/// <summary>The diversity check tells a collapsed set, a memorized set and a diverse set apart.</summary>
public class DiversityTests
{
    private static List<byte[]> Packings(int first, int count) =>
        Enumerable.Range(first, count).Select(seed => SpherePacking.Generate(16, 2, 0.2, seed)).ToList();

    [Fact]
    public void IdenticalGeneratedVolumesAreCollapsed()
    {
        var real = Packings(0, 8);
        var fake = Enumerable.Repeat(Packings(100, 1)[0], 8).ToList();
        var d = Diversity.Measure(real, fake);
        Assert.Equal(0, d.VoxelStdFake);
        Assert.Equal(0, d.P1StdFake);
        Assert.True(d.VoxelStdReal > 0.2, $"training per-voxel std {d.VoxelStdReal}");
        Assert.StartsWith("collapsed", d.Verdict);
    }

    [Fact]
    public void CopiesOfTrainingVolumesAreMemorized()
    {
        var real = Packings(0, 8);
        var d = Diversity.Measure(real, real.Take(4).ToList());
        Assert.All(d.NearestTraining, x => Assert.Equal(0, x));
        Assert.True(d.TrainingNearest > 0.1, $"training volumes differ in {d.TrainingNearest} of their voxels");
        Assert.StartsWith("memorized", d.Verdict);
    }

    [Fact]
    public void OtherPackingsOfTheSameKindAreDiverse()
    {
        var d = Diversity.Measure(Packings(0, 8), Packings(100, 8));
        Assert.InRange(d.VoxelStdRatio, 0.8, 1.25);
        Assert.All(d.NearestTraining, x => Assert.InRange(x, 0.5 * d.TrainingNearest, 2 * d.TrainingNearest));
        Assert.StartsWith("diverse", d.Verdict);
    }
}
