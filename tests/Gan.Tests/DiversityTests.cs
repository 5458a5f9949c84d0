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

    [Fact]
    public void StationaryPackingsHaveNoPositionTemplateAndOneVolumeRepeatedHasTheLargest()
    {
        // Sphere packings at random positions prefer no voxel: the template is chance only, taken out by the estimator.
        foreach (int n in new[] { 8, 64 })
            Assert.InRange(Diversity.Template(Packings(0, n)), 0, 0.04);
        // One volume repeated: every voxel is phase 1 always or never, the largest template, sqrt(p (1 - p)).
        var one = Packings(100, 1)[0];
        double p = one.Count(b => b != 0) / (double)one.Length;
        Assert.Equal(Math.Sqrt(p * (1 - p)), Diversity.Template(Enumerable.Repeat(one, 8).ToList()), 12);
        Assert.True(double.IsNaN(Diversity.Template([one])));
    }

    [Fact]
    public void APreferredPositionPatternIsMeasuredAsItsSpreadOfChances()
    {
        // Voxel i is phase 1 with chance 0.8 on a fixed fifth of the voxels and 0.05 elsewhere: the chances spread by
        // sqrt(0.2 * 0.6^2 + 0.8 * 0.15^2) = 0.3 around 0.2, whatever the volumes' count.
        var rng = new Random(3);
        var preferred = Enumerable.Range(0, 4096).Select(_ => rng.NextDouble() < 0.2).ToArray();
        var set = Enumerable.Range(0, 64).Select(_ => preferred.Select(on => (byte)(rng.NextDouble() < (on ? 0.8 : 0.05) ? 1 : 0)).ToArray()).ToList();
        double expected = Math.Sqrt(preferred.Average(on => Math.Pow((on ? 0.8 : 0.05) - preferred.Average(o => o ? 0.8 : 0.05), 2)));
        Assert.InRange(Diversity.Template(set), expected - 0.02, expected + 0.02);
        var d = Diversity.Measure(Packings(0, 16), set);
        Assert.Equal(Diversity.Template(set), d.TemplateFake);
        Assert.InRange(d.TemplateReal, 0, 0.04);
    }
}
