using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Imaging;

public sealed class FramePreprocessorTests
{
    private const float Tolerance = 1e-4f;
    private static readonly long Budget = new InferenceOptions().MaxDecodePixels;

    [Theory]
    [InlineData(97, 61, 40, 30)]
    [InlineData(640, 480, 224, 224)]
    [InlineData(50, 40, 64, 48)]
    public void Matches_the_reference_computation_pixel_for_pixel(int frameWidth, int frameHeight, int width, int height)
    {
        var input = Gray(width, height);
        using var bitmap = Noise(frameWidth, frameHeight, seed: frameWidth);
        var tensor = new float[width * height];

        var error = new FramePreprocessor(input, Budget).Preprocess(Encode(bitmap, SKEncodedImageFormat.Png), tensor);

        Assert.Null(error);
        var expected = ReferencePreprocessing.AreaResample(ReferencePreprocessing.Luma(bitmap), 0, 0, frameWidth, frameHeight, width, height);
        AssertTensor(expected, input, tensor);
    }

    [Fact]
    public void Scores_each_tile_of_the_region_of_interest()
    {
        var input = Gray(32, 24, new RegionSpec { X = 0.5, Y = 0.1, Width = 0.5, Height = 0.8 }, new TileSpec { Columns = 2, Rows = 1, Overlap = 0.2, Reduce = "mean" });
        using var bitmap = Noise(200, 120, seed: 7);
        var tensor = new float[2 * 32 * 24];

        var error = new FramePreprocessor(input, Budget).Preprocess(Encode(bitmap, SKEncodedImageFormat.Png), tensor);

        Assert.Null(error);
        var luma = ReferencePreprocessing.Luma(bitmap);
        // ROI is the right half (x 100..200); two columns overlapping by 20 % are 100/1.8 px wide.
        var tileWidth = 100 / 1.8;
        AssertTensor(ReferencePreprocessing.AreaResample(luma, 100, 12, tileWidth, 96, 32, 24), input, tensor.AsSpan(0, 32 * 24));
        AssertTensor(ReferencePreprocessing.AreaResample(luma, 100 + (tileWidth * 0.8), 12, tileWidth, 96, 32, 24), input, tensor.AsSpan(32 * 24));
    }

    [Fact]
    public void Decodes_jpeg_at_reduced_scale_when_the_model_needs_fewer_pixels()
    {
        var input = Gray(64, 36);
        using var bitmap = Noise(512, 288, seed: 3);
        var jpeg = Encode(bitmap, SKEncodedImageFormat.Jpeg);
        var tensor = new float[64 * 36];

        Assert.Null(new FramePreprocessor(input, Budget).Preprocess(jpeg, tensor));

        // 512/64 = 8: libjpeg decodes at 1/8 straight to 64x36, which the reference reads back the same way.
        using var codec = SKCodec.Create(new SKMemoryStream(jpeg));
        var size = codec.GetScaledDimensions(0.125f);
        Assert.Equal(new SKSizeI(64, 36), size);
        using var reduced = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(reduced.Info, reduced.GetPixels()));
        AssertTensor(ReferencePreprocessing.AreaResample(ReferencePreprocessing.Luma(reduced), 0, 0, 64, 36, 64, 36), input, tensor);
    }

    [Fact]
    public void Keeps_a_one_pixel_crack_visible_at_the_model_input()
    {
        var input = Gray(640, 360);
        using var bitmap = new SKBitmap(1920, 1080);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = false };
            canvas.DrawLine(0, 500.5f, 1920, 500.5f, paint);
        }

        var tensor = new float[640 * 360];
        Assert.Null(new FramePreprocessor(input, Budget).Preprocess(Encode(bitmap, SKEncodedImageFormat.Png), tensor));

        var background = tensor[(10 * 640) + 320];
        var darkest = Enumerable.Range(0, 360).Min(row => tensor[(row * 640) + 320]);
        // A third of the width: the line keeps about a third of its contrast (255 -> ~170), it is not averaged away.
        var contrast = (background - darkest) * input.Std[0] / input.Scale;
        Assert.InRange(contrast, 75, 95);
    }

    [Theory]
    [InlineData(new byte[0], "the file is empty")]
    [InlineData(new byte[] { 0x68, 0x65, 0x6c, 0x6c, 0x6f }, "not a decodable image")]
    public void Reports_unusable_input_as_a_value(byte[] encoded, string expected)
    {
        var error = new FramePreprocessor(Gray(8, 8), Budget).Preprocess(encoded, new float[64]);

        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_truncated_jpeg()
    {
        using var bitmap = Noise(320, 240, seed: 5);
        var jpeg = Encode(bitmap, SKEncodedImageFormat.Jpeg);

        var error = new FramePreprocessor(Gray(32, 24), Budget).Preprocess(jpeg.AsSpan(0, jpeg.Length / 2), new float[32 * 24]);

        Assert.Equal("the image data could not be decoded: the data ends early (truncated file)", error);
    }

    [Fact]
    public void Refuses_a_frame_over_the_decode_budget_from_its_header()
    {
        var bomb = HostilePng.Create(8192, 8192);
        var preprocessor = new FramePreprocessor(Gray(64, 64), Budget);

        var error = preprocessor.Preprocess(bomb, new float[64 * 64]);

        Assert.True(bomb.Length < 256 * 1024, $"the PNG is {bomb.Length} bytes");
        Assert.Equal($"the frame is 8192x8192 and would decode to 8192x8192 pixels, more than the decode budget of {Budget} (Inference:MaxDecodePixels)", error);
        Assert.Equal(0, preprocessor.RetainedBytes);
    }

    [Fact]
    public void Decodes_a_frame_above_the_usual_size_without_keeping_its_buffer()
    {
        var preprocessor = new FramePreprocessor(Gray(64, 48), Budget);
        using var usual = Noise(640, 480, seed: 5);

        Assert.Null(preprocessor.Preprocess(Encode(usual, SKEncodedImageFormat.Png), new float[64 * 48]));
        Assert.Equal(640 * 480 * 4, preprocessor.RetainedBytes);
        Assert.Null(preprocessor.Preprocess(HostilePng.Create(4000, 3000), new float[64 * 48]));
        Assert.Equal(640 * 480 * 4, preprocessor.RetainedBytes);
    }

    private static InputSpec Gray(int width, int height, RegionSpec? roi = null, TileSpec? tiles = null) => new()
    {
        Roi = roi,
        Tiles = tiles,
        Name = "image",
        Width = width,
        Height = height,
        Channels = 1,
        ColorSpace = "gray",
        Scale = 1f / 255,
        Mean = [0.5f],
        Std = [0.25f],
    };

    private static SKBitmap Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Smooth gradients plus noise, so that JPEG keeps it close and resampling has something to average.
                var b = (byte)((x * 255 / width + random.Next(40)) % 256);
                bitmap.SetPixel(x, y, new SKColor(b, (byte)(y * 255 / height), (byte)random.Next(256)));
            }
        }

        return bitmap;
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    private static void AssertTensor(double[,] expected, InputSpec input, ReadOnlySpan<float> actual)
    {
        var w = expected.GetLength(1);
        for (var i = 0; i < expected.GetLength(0); i++)
        {
            for (var j = 0; j < w; j++)
            {
                var want = ReferencePreprocessing.Normalise(expected[i, j], input);
                if (Math.Abs(want - actual[(i * w) + j]) > Tolerance)
                {
                    Assert.Fail($"pixel ({j},{i}): expected {want}, got {actual[(i * w) + j]}");
                }
            }
        }
    }
}
