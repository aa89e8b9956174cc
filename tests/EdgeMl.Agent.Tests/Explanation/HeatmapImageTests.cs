using EdgeMl.Agent.Explanation;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class HeatmapImageTests
{
    [Fact]
    public void Heatmap_is_a_small_png_at_the_inputs_aspect_brightest_where_the_heat_is()
    {
        var heat = new float[16 * 9];
        heat[(4 * 16) + 12] = 0.8f;
        var map = new ExplanationMap(ExplanationMap.Occlusion, "cracked", 0.9f, 16, 9, heat);

        var png = HeatmapImage.EncodePng(map, 640, 360);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((160, 90), (bitmap.Width, bitmap.Height));
        var hot = bitmap.GetPixel((12 * 10) + 5, (4 * 10) + 5);
        var cold = bitmap.GetPixel(5, 5);
        Assert.True(hot.Red > 200, $"hot cell is {hot}");
        Assert.Equal(SKColors.Black, cold);
    }
}
