using SkiaSharp;
using VoxelGan.Tensors.IO;

namespace VoxelGan.Gan.Figures;

/// <summary>PNG grids of grey-value slices (the paper's Figure 8: generated centre slices).</summary>
public static class SliceGrid
{
    /// <summary>
    /// Writes <paramref name="slices"/> (each h x w, row-major) as a grid of <paramref name="columns"/>
    /// columns, each pixel scaled up by <paramref name="zoom"/>, values mapped linearly from
    /// [<paramref name="low"/>, <paramref name="high"/>] to black..white, with a 2-pixel white gutter; atomically.
    /// </summary>
    public static void Save(string path, IReadOnlyList<float[]> slices, int h, int w, double low, double high, int columns = 4, int zoom = 4)
    {
        if (slices.Count == 0) throw new ArgumentException("no slices to draw");
        if (slices.Any(s => s.Length != h * w)) throw new ArgumentException($"every slice must have {h}x{w} values");
        if (!(high > low)) (low, high) = (low - 0.5, low + 0.5);
        columns = Math.Min(columns, slices.Count);
        int rows = (slices.Count + columns - 1) / columns, gutter = 2;
        int width = columns * (w * zoom + gutter) + gutter, height = rows * (h * zoom + gutter) + gutter;
        using var bitmap = new SKBitmap(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        for (int s = 0; s < slices.Count; s++)
        {
            int ox = gutter + s % columns * (w * zoom + gutter), oy = gutter + s / columns * (h * zoom + gutter);
            for (int y = 0; y < h * zoom; y++)
                for (int x = 0; x < w * zoom; x++)
                {
                    double v = (slices[s][y / zoom * w + x / zoom] - low) / (high - low);
                    byte g = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
                    bitmap.SetPixel(ox + x, oy + y, new SKColor(g, g, g));
                }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => png.SaveTo(stream));
    }
}
