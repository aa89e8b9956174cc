using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Inference;

/// <summary>
/// A few input tensors that look like images to the model (gradients, a dark streak, noise, a
/// checkerboard), normalised as the manifest says; they differ from each other so that a session
/// fed a stale input shows it. Used for warm-up and for the load-time check against the CPU.
/// </summary>
internal static class SyntheticFrames
{
    private const int Patterns = 4;

    public static IReadOnlyList<float[]> For(LoadedModel model)
    {
        var frames = new float[Patterns][];
        for (var k = 0; k < Patterns; k++)
        {
            frames[k] = new float[model.TilesPerFrame * model.TileLength];
            for (var t = 0; t < model.TilesPerFrame; t++)
            {
                Fill(model.Manifest.Input, k, frames[k].AsSpan(t * model.TileLength, model.TileLength));
            }
        }

        return frames;
    }

    private static void Fill(InputSpec input, int pattern, Span<float> tile)
    {
        int width = input.Width, height = input.Height, channels = input.Channels;
        for (var c = 0; c < channels; c++)
        {
            var multiply = input.Scale / input.Std[c];
            var add = -input.Mean[c] / input.Std[c];
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var index = input.Layout == "NHWC" ? (((y * width) + x) * channels) + c : (c * width * height) + (y * width) + x;
                    tile[index] = (Pixel(pattern, x, y, c, width) * multiply) + add;
                }
            }
        }
    }

    private static int Pixel(int pattern, int x, int y, int c, int width) => pattern switch
    {
        0 => x * 255 / Math.Max(1, width - 1),
        1 => Math.Abs(x - y) < Math.Max(1, width / 16) ? 30 : 200,
        2 => (int)((((uint)x * 73856093u) ^ ((uint)y * 19349663u) ^ ((uint)c * 83492791u)) % 256u),
        _ => ((x / 8) + (y / 8)) % 2 * 255,
    };
}
