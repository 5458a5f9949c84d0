using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Figures;

/// <summary>One curve of a two-point correlation plot: the mean S2(r) of a set and its spread.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="Radii">r in voxels.</param>
/// <param name="Mean">Mean S2 over the set's volumes.</param>
/// <param name="Std">Standard deviation over the volumes (drawn as a band).</param>
public sealed record CorrelationCurve(string Label, double[] Radii, double[] Mean, double[] Std);

/// <summary>The paper's Figure 7: S2(r) of the real and the generated set in one PNG.</summary>
public static class CorrelationPlot
{
    /// <summary>Draws the curves with +-1 std bands and writes the PNG atomically.</summary>
    public static void Save(string path, IReadOnlyList<CorrelationCurve> curves, string title = "Two-point correlation S2(r)")
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            var color = palette.GetColor(i);
            var band = plot.Add.FillY(c.Radii, c.Mean.Zip(c.Std, (m, s) => m - s).ToArray(), c.Mean.Zip(c.Std, (m, s) => m + s).ToArray());
            band.FillStyle.Color = color.WithAlpha(0.2);
            band.LineStyle.Width = 0;
            var line = plot.Add.Scatter(c.Radii, c.Mean);
            line.Color = color;
            line.LegendText = c.Label;
        }
        plot.Title(title);
        plot.XLabel("r (voxels)");
        plot.YLabel("S2(r)");
        plot.ShowLegend();
        var bytes = plot.GetImageBytes(800, 560, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
