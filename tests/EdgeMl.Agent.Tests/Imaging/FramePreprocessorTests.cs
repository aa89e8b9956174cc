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
    [InlineData(96, 54, 64, 36)]
    [InlineData(64, 48, 64, 48)]
    [InlineData(200, 100, 50, 25)]
    public void Matches_the_reference_computation_pixel_for_pixel(int frameWidth, int frameHeight, int width, int height)
    {
        var input = TestImages.Gray(width, height);
        using var bitmap = TestImages.Noise(frameWidth, frameHeight, seed: frameWidth);
        var tensor = new float[width * height];

        var error = new FramePreprocessor(input, Budget).Preprocess(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), tensor);

        Assert.Null(error);
        var expected = ReferencePreprocessing.AreaResample(ReferencePreprocessing.Luma(bitmap), 0, 0, frameWidth, frameHeight, width, height);
        AssertTensor(expected, input, tensor);
    }

    [Fact]
    public void Scores_each_tile_of_the_region_of_interest()
    {
        var input = TestImages.Gray(32, 24, new RegionSpec { X = 0.5, Y = 0.1, Width = 0.5, Height = 0.8 }, new TileSpec { Columns = 2, Rows = 1, Overlap = 0.2, Reduce = "mean" });
        using var bitmap = TestImages.Noise(200, 120, seed: 7);
        var tensor = new float[2 * 32 * 24];

        var error = new FramePreprocessor(input, Budget).Preprocess(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), tensor);

        Assert.Null(error);
        var luma = ReferencePreprocessing.Luma(bitmap);
        // ROI is the right half (x 100..200); two columns overlapping by 20 % are 100/1.8 px wide.
        var tileWidth = 100 / 1.8;
        AssertTensor(ReferencePreprocessing.AreaResample(luma, 100, 12, tileWidth, 96, 32, 24), input, tensor.AsSpan(0, 32 * 24));
        AssertTensor(ReferencePreprocessing.AreaResample(luma, 100 + (tileWidth * 0.8), 12, tileWidth, 96, 32, 24), input, tensor.AsSpan(32 * 24));
    }

    [Fact]
    public void Decodes_jpeg_with_skiasharp_at_reduced_scale_where_libturbojpeg_is_missing()
    {
        var input = TestImages.Gray(64, 36);
        using var bitmap = TestImages.Noise(512, 288, seed: 3);
        var jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
        var tensor = new float[64 * 36];

        Assert.Null(new FramePreprocessor(input, Budget, turboJpeg: false).Preprocess(jpeg, tensor));

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
        var input = TestImages.Gray(640, 360);
        using var bitmap = new SKBitmap(1920, 1080);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = false };
            canvas.DrawLine(0, 500.5f, 1920, 500.5f, paint);
        }

        var tensor = new float[640 * 360];
        Assert.Null(new FramePreprocessor(input, Budget).Preprocess(TestImages.Encode(bitmap, SKEncodedImageFormat.Png), tensor));

        var background = tensor[(10 * 640) + 320];
        var darkest = Enumerable.Range(0, 360).Min(row => tensor[(row * 640) + 320]);
        // A third of the width: the line keeps about a third of its contrast (255 -> ~170), it is not averaged away.
        var contrast = (background - darkest) * input.Std[0] / input.Scale;
        Assert.InRange(contrast, 75, 95);
    }

    [Theory]
    [InlineData(1920, 1080, 640, 360, 0.5f)]
    [InlineData(1920, 1080, 960, 540, 0.5f)]
    [InlineData(1920, 1080, 961, 540, 1f)]
    [InlineData(1920, 1080, 480, 270, 0.25f)]
    [InlineData(1920, 1080, 224, 224, 0.25f)]
    [InlineData(1920, 1080, 240, 135, 0.125f)]
    [InlineData(1920, 1080, 64, 36, 0.125f)]
    [InlineData(640, 480, 224, 224, 0.5f)]
    [InlineData(1920, 1080, 1920, 1080, 1f)]
    public void Chooses_the_smallest_dct_scale_that_still_covers_the_model_input(int frameWidth, int frameHeight, int width, int height, float expected)
    {
        var preprocessor = new FramePreprocessor(TestImages.Gray(width, height), Budget);

        Assert.Equal(expected, preprocessor.DecodeScale(new SKSizeI(frameWidth, frameHeight)));
    }

    [Fact]
    public void Chooses_the_dct_scale_for_each_tile_not_the_whole_frame()
    {
        // Two 960-wide tiles of a 1920 frame for a 640x360 input: half scale would leave a tile 480 wide.
        var tiles = new TileSpec { Columns = 2, Rows = 1, Overlap = 0, Reduce = "max" };
        var preprocessor = new FramePreprocessor(TestImages.Gray(640, 360, tiles: tiles), Budget);

        Assert.Equal(1f, preprocessor.DecodeScale(new SKSizeI(1920, 1080)));
        Assert.Equal(0.5f, preprocessor.DecodeScale(new SKSizeI(3840, 2160)));
    }

    [Theory]
    [InlineData(new byte[0], "the file is empty")]
    [InlineData(new byte[] { 0x68, 0x65, 0x6c, 0x6c, 0x6f }, "not a decodable image")]
    public void Reports_unusable_input_as_a_value(byte[] encoded, string expected)
    {
        var error = new FramePreprocessor(TestImages.Gray(8, 8), Budget).Preprocess(encoded, new float[64]);

        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_truncated_jpeg_decoded_with_skiasharp()
    {
        using var bitmap = TestImages.Noise(320, 240, seed: 5);
        var jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);

        var error = new FramePreprocessor(TestImages.Gray(32, 24), Budget, turboJpeg: false).Preprocess(jpeg.AsSpan(0, jpeg.Length / 2), new float[32 * 24]);

        Assert.Equal("the image data could not be decoded: the data ends early (truncated file)", error);
    }

    [Fact]
    public void Refuses_a_frame_over_the_decode_budget_from_its_header()
    {
        var bomb = HostilePng.Create(8192, 8192);
        var preprocessor = new FramePreprocessor(TestImages.Gray(64, 64), Budget);

        var error = preprocessor.Preprocess(bomb, new float[64 * 64]);

        Assert.True(bomb.Length < 256 * 1024, $"the PNG is {bomb.Length} bytes");
        Assert.Equal($"the frame is 8192x8192 and would decode to 8192x8192 pixels, more than the decode budget of {Budget} (Inference:MaxDecodePixels)", error);
        Assert.Equal(0, preprocessor.RetainedBytes);
    }

    [Fact]
    public void Decodes_a_frame_above_the_usual_size_without_keeping_its_buffer()
    {
        var preprocessor = new FramePreprocessor(TestImages.Gray(64, 48), Budget);
        using var usual = TestImages.Noise(640, 480, seed: 5);

        Assert.Null(preprocessor.Preprocess(TestImages.Encode(usual, SKEncodedImageFormat.Png), new float[64 * 48]));
        Assert.Equal(640 * 480 * 4, preprocessor.RetainedBytes);
        Assert.Null(preprocessor.Preprocess(HostilePng.Create(4000, 3000), new float[64 * 48]));
        Assert.Equal(640 * 480 * 4, preprocessor.RetainedBytes);
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
