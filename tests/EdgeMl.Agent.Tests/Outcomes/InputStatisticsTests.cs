using EdgeMl.Agent.Outcomes;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Outcomes;

public sealed class InputStatisticsTests
{
    private const int Width = 23;
    private const int Height = 17;

    [Fact]
    public void Measures_a_grey_tensor_as_train_py_measures_the_resized_image()
    {
        var pixels = RandomPixels(seed: 1);
        var input = new InputSpec { Layout = "NCHW", Width = Width, Height = Height, Channels = 1, Scale = 1f / 255, Mean = [0.5f], Std = [0.25f] };
        var tensor = pixels.Select(p => ((p * input.Scale) - input.Mean[0]) / input.Std[0]).ToArray();

        var expected = Reference(pixels);

        // Two tiles of the same image pool to the same figures: no Laplacian across the seam.
        foreach (var measured in new[] { InputStatistics.Measure(tensor, input), InputStatistics.Measure([.. tensor, .. tensor], input) })
        {
            Assert.Equal(expected.Brightness, measured.Brightness, 0.01f);
            Assert.Equal(expected.Contrast, measured.Contrast, 0.01f);
            Assert.Equal(expected.Sharpness, measured.Sharpness, 0.01f);
        }
    }

    [Fact]
    public void Measures_the_mean_of_the_channels_in_either_layout()
    {
        var pixels = RandomPixels(seed: 2);
        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        var nchw = new InputSpec { Layout = "NCHW", Width = Width, Height = Height, Channels = 3, Scale = 1f / 255, Mean = mean, Std = std };
        var nhwc = new InputSpec { Layout = "NHWC", Width = Width, Height = Height, Channels = 3, Scale = 1f / 255, Mean = mean, Std = std };

        // Channel c holds pixel + (c - 1) * 10, so the grey level is the pixel itself.
        var planar = new float[3 * pixels.Length];
        var interleaved = new float[3 * pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var value = (((pixels[i] + ((c - 1) * 10)) / 255f) - mean[c]) / std[c];
                planar[(c * pixels.Length) + i] = value;
                interleaved[(i * 3) + c] = value;
            }
        }

        var expected = Reference(pixels);
        foreach (var measured in new[] { InputStatistics.Measure(planar, nchw), InputStatistics.Measure(interleaved, nhwc) })
        {
            Assert.Equal(expected.Brightness, measured.Brightness, 0.01f);
            Assert.Equal(expected.Contrast, measured.Contrast, 0.01f);
            Assert.Equal(expected.Sharpness, measured.Sharpness, 0.01f);
        }
    }

    private static float[] RandomPixels(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Width * Height).Select(_ => (float)random.Next(20, 236)).ToArray();
    }

    /// <summary>train.py's reference_statistics, written out plainly.</summary>
    private static InputStatistics Reference(float[] pixels)
    {
        var mean = pixels.Average(p => (double)p);
        var std = Math.Sqrt(pixels.Average(p => (p - mean) * (p - mean)));
        double laplacian = 0;
        for (var y = 1; y < Height - 1; y++)
        {
            for (var x = 1; x < Width - 1; x++)
            {
                double At(int dx, int dy) => pixels[((y + dy) * Width) + x + dx];
                laplacian += Math.Abs((4 * At(0, 0)) - At(-1, 0) - At(1, 0) - At(0, -1) - At(0, 1));
            }
        }

        return new InputStatistics((float)mean, (float)std, (float)(laplacian / ((Width - 2) * (Height - 2))));
    }
}
