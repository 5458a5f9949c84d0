using System.Text.Json;
using VoxelGan.Gan.Data;
using VoxelGan.Gan.Figures;
using VoxelGan.Tensors;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Evaluation;

/// <summary>What <see cref="SetComparison.CompareFolders"/> computed and where it wrote it.</summary>
/// <param name="Result">E_p1, E_p2, E_C11 and the descriptors of both sets.</param>
/// <param name="Diversity">How varied the generated set is against the training set.</param>
/// <param name="JsonPath"><c>evaluation.json</c>.</param>
/// <param name="PlotPath"><c>s2.png</c> (the paper's Figure 7).</param>
public sealed record SetComparisonReport(EvaluationResult Result, DiversityReport Diversity, string JsonPath, string PlotPath);

/// <summary>Compares a folder of generated volumes with a folder of training volumes (paper section 3.7, Eq. 34).</summary>
public static class SetComparison
{
    /// <summary>
    /// Reads both sets (a generator output folder's <c>phases/</c> is used when present), describes them
    /// (p1 and S2 of every volume, C11 of the first <paramref name="homogenize"/> of each), applies Eq. 34,
    /// and writes <c>evaluation.json</c> and <c>s2.png</c> into <paramref name="outDir"/>.
    /// <paramref name="threshold"/> null uses <see cref="Volume.DefaultThreshold"/> per set.
    /// </summary>
    public static SetComparisonReport CompareFolders(string realDir, string fakeDir, int homogenize, double? threshold, string outDir,
        Device device, IProgress<string>? progress = null)
    {
        if (homogenize < 0) throw new ArgumentException($"the number of volumes to homogenize must be non-negative, got {homogenize}");
        var (realPhases, rn) = ReadPhases(realDir, threshold);
        var (fakePhases, fn) = ReadPhases(Directory.Exists(Path.Combine(fakeDir, "phases")) ? Path.Combine(fakeDir, "phases") : fakeDir, threshold);
        var realSet = Evaluator.Describe(realPhases, rn, rn, rn, homogenize, device);
        progress?.Report("real set");
        var fakeSet = Evaluator.Describe(fakePhases, fn, fn, fn, homogenize, device);
        progress?.Report("generated set");
        var result = Evaluator.Compare(realSet, fakeSet);
        var diversity = Diversity.Measure(realPhases, fakePhases);
        var json = new
        {
            real = realDir,
            fake = fakeDir,
            real_count = realPhases.Count,
            fake_count = fakePhases.Count,
            E_p1 = result.ErrorP1,
            E_p2 = result.ErrorP2,
            E_C11 = double.IsNaN(result.ErrorC11) ? (double?)null : result.ErrorC11,
            p1 = new { real = realSet.P1.Average(), fake = fakeSet.P1.Average() },
            C11 = new { real = realSet.C11, fake = fakeSet.C11 },
            radii = realSet.Radii,
            S2 = new { real = Evaluator.Curve("real", realSet).Mean, fake = Evaluator.Curve("generated", fakeSet).Mean },
            diversity = new
            {
                voxel_std = new { real = diversity.VoxelStdReal, fake = diversity.VoxelStdFake, ratio = double.IsFinite(diversity.VoxelStdRatio) ? diversity.VoxelStdRatio : (double?)null },
                p1_std = new { real = diversity.P1StdReal, fake = diversity.P1StdFake },
                position_template = new { real = double.IsNaN(diversity.TemplateReal) ? (double?)null : diversity.TemplateReal, fake = double.IsNaN(diversity.TemplateFake) ? (double?)null : diversity.TemplateFake },
                nearest_training_distance = diversity.NearestTraining,
                training_nearest_distance = double.IsNaN(diversity.TrainingNearest) ? (double?)null : diversity.TrainingNearest,
                verdict = diversity.Verdict,
            },
        };
        var jsonPath = Path.Combine(outDir, "evaluation.json");
        var plotPath = Path.Combine(outDir, "s2.png");
        AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        CorrelationPlot.Save(plotPath, [Evaluator.Curve($"training set ({realPhases.Count})", realSet), Evaluator.Curve($"generated ({fakePhases.Count})", fakeSet)]);
        return new SetComparisonReport(result, diversity, jsonPath, plotPath);
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> volumes of <paramref name="data"/> as the baseline a generated
    /// set is compared with, replacing an earlier one: <c>sphere_NNNN.npy</c> (uint8, as <c>voxelgan spheres</c>
    /// names them) and <c>slices.png</c> (centre slices of the first 16).
    /// </summary>
    public static void WriteBaseline(Dataset data, int count, string folder)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, data.Volumes.Count);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        for (int i = 0; i < count; i++) VolumeFile.Write(Path.Combine(folder, $"sphere_{i:D4}.npy"), data.Volumes[i], asBytes: true);
        int n = data.Size;
        SliceGrid.Save(Path.Combine(folder, "slices.png"), data.Volumes.Take(Math.Min(count, 16)).Select(v => v.CentreSlice()).ToList(), n, n, 0, 1,
            columns: 4, zoom: Math.Max(1, 128 / n));
    }

    /// <summary>Phase maps of every volume of a folder, which must all be cubes of one size.</summary>
    public static (List<byte[]> Phases, int Size) ReadPhases(string dir, double? threshold)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such folder");
        var volumes = VolumeFile.Expand([dir]).Select(f => VolumeFile.Read(f)).ToList();
        var first = volumes[0];
        foreach (var v in volumes)
            if (v.D != v.H || v.H != v.W || v.D != first.D)
                throw new ShapeException($"{v.Source}: {v.D}x{v.H}x{v.W}; every volume of {dir} must be a cube of the size of {first.Source} ({first.D}^3)");
        double t = threshold ?? Volume.DefaultThreshold(volumes);
        return (volumes.Select(v => v.Binarize(t)).ToList(), first.D);
    }
}
