using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Imaging;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class HeatmapImageTests
{
    [Fact]
    public void Heatmap_is_a_small_png_at_the_frames_aspect_opaque_and_bright_where_the_heat_is_and_clear_elsewhere()
    {
        var heat = new float[16 * 9];
        heat[(4 * 16) + 12] = 0.8f;
        var map = new ExplanationMap(ExplanationMap.Occlusion, "cracked", 0.9f, 16, 9, heat) { FrameAspect = 16.0 / 9 };

        var png = HeatmapImage.EncodePng(map);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((160, 90), (bitmap.Width, bitmap.Height));
        var hot = bitmap.GetPixel((12 * 10) + 5, (4 * 10) + 5);
        var cold = bitmap.GetPixel(5, 5);
        Assert.True(hot.Red > 200 && hot.Alpha > 200, $"hot cell is {hot}");
        Assert.Equal(0, cold.Alpha);
    }

    [Fact]
    public void Map_is_drawn_on_the_probability_scale_so_a_faint_map_stays_faint_where_occlusion_is_scaled_to_its_largest_drop()
    {
        var heat = new float[16 * 9];
        heat[(4 * 16) + 12] = 0.2f;

        using var map = SKBitmap.Decode(HeatmapImage.EncodePng(new ExplanationMap(ExplanationMap.ModelMap, "cracked", 0.2f, 16, 9, heat) { FrameAspect = 16.0 / 9 }));
        using var occlusion = SKBitmap.Decode(HeatmapImage.EncodePng(new ExplanationMap(ExplanationMap.Occlusion, "cracked", 0.9f, 16, 9, heat) { FrameAspect = 16.0 / 9 }));

        var faint = map.GetPixel((12 * 10) + 5, (4 * 10) + 5);
        var full = occlusion.GetPixel((12 * 10) + 5, (4 * 10) + 5);
        Assert.True(faint.Alpha is > 50 and < 150 && faint.Green == 0, $"a cell at p 0.2 is {faint}");
        Assert.True(full.Alpha > 200 && Math.Min(full.Red, Math.Min(full.Green, full.Blue)) > 240, $"the largest drop is {full}");
    }

    [Fact]
    public void A_grid_over_part_of_the_frame_is_drawn_there_and_the_rest_of_the_frame_stays_clear()
    {
        // Full heat over the right half of a 2:1 frame (a region of interest there).
        var map = new ExplanationMap(ExplanationMap.ModelMap, "spot", 1f, 4, 2, [1, 1, 1, 1, 1, 1, 1, 1])
        {
            Region = new TileLayout.Rect(0.5, 0, 0.5, 1),
            FrameAspect = 2,
        };

        using var bitmap = SKBitmap.Decode(HeatmapImage.EncodePng(map));

        Assert.Equal((160, 80), (bitmap.Width, bitmap.Height));
        Assert.Equal(0, bitmap.GetPixel(20, 40).Alpha);
        Assert.Equal(0, bitmap.GetPixel(75, 40).Alpha);
        Assert.Equal(255, bitmap.GetPixel(85, 40).Alpha);
        Assert.Equal(255, bitmap.GetPixel(150, 40).Alpha);
    }
}
