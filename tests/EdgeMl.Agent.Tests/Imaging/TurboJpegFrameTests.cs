using System.Buffers.Binary;
using EdgeMl.Agent.Imaging;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;
using SkiaSharp;

namespace EdgeMl.Agent.Tests.Imaging;

/// <summary>JPEG through TurboJPEG (libturbojpeg0, which CI installs): luma at the DCT scale, the training contract, hostile frames.</summary>
public sealed class TurboJpegFrameTests
{
    private static readonly long Budget = new InferenceOptions().MaxDecodePixels;

    [Fact]
    public void Libturbojpeg_is_installed_so_jpeg_does_not_fall_back_to_skiasharp()
    {
        Assert.True(TurboJpeg.IsAvailable, $"{TurboJpeg.Library} did not load: apt-get install libturbojpeg0");
        Assert.Equal("libjpeg-turbo (TurboJPEG)", new FramePreprocessor(TestImages.Gray(8, 8), Budget).JpegDecoder);
    }

    [Theory]
    [InlineData(640, 360)]
    [InlineData(960, 540)]
    public async Task Matches_the_training_contract_on_a_generated_1080p_frame(int width, int height)
    {
        var frames = await GeneratedFrames.GetAsync(4, 31, "--width", "1920", "--height", "1080");
        var frame = Directory.GetFiles(frames, "*.jpg").Order(StringComparer.Ordinal).First();
        using var temp = new TempDirectory();
        var copy = temp.File("frame.jpg");
        File.Copy(frame, copy);
        var tensor = new float[width * height];

        Assert.Null(new FramePreprocessor(TestImages.Gray(width, height), Budget).Preprocess(await File.ReadAllBytesAsync(copy), tensor));

        var expected = await TrainingContract.PreprocessAsync(copy, width, height);
        Assert.Equal(expected.Length, tensor.Length);
        // Same libjpeg-turbo luma on both sides; a tenth of a grey level leaves room only for float rounding.
        var tolerance = 0.1f / 255 / 0.25f;
        var worst = Enumerable.Range(0, tensor.Length).Max(i => Math.Abs(expected[i] - tensor[i]));
        Assert.True(worst <= tolerance, $"largest difference {worst * 255 * 0.25f:F3} grey levels");
    }

    [Fact]
    public void Decodes_straight_to_luma_at_half_scale_for_a_model_of_a_third_of_the_frame()
    {
        using var bitmap = TestImages.Noise(1920, 1080, seed: 11);
        var preprocessor = new FramePreprocessor(TestImages.Gray(640, 360), Budget);

        Assert.Null(preprocessor.Preprocess(TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg), new float[640 * 360]));

        // One byte a pixel at 960x540: luma from the Y plane, not RGBA at any scale.
        Assert.Equal(960 * 540, preprocessor.RetainedBytes);
    }

    [Fact]
    public void Decodes_colour_for_a_colour_model_as_skiasharp_does()
    {
        var input = new InputSpec { Name = "image", Width = 80, Height = 60, Channels = 3, ColorSpace = "bgr", Scale = 1f / 255, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] };
        using var bitmap = TestImages.Noise(640, 480, seed: 9);
        var jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
        var turbo = new float[3 * 80 * 60];
        var skia = new float[3 * 80 * 60];

        Assert.Null(new FramePreprocessor(input, Budget).Preprocess(jpeg, turbo));
        Assert.Null(new FramePreprocessor(input, Budget, turboJpeg: false).Preprocess(jpeg, skia));

        // Both are libjpeg-turbo underneath; after area averaging they differ by rounding at most.
        var worst = Enumerable.Range(0, turbo.Length).Max(i => Math.Abs(turbo[i] - skia[i]));
        Assert.True(worst <= 1f / 255 / 0.25f, $"largest difference {worst * 255 * 0.25f:F3} levels");
    }

    [Fact]
    public void Reports_a_truncated_jpeg_in_one_line()
    {
        using var bitmap = TestImages.Noise(320, 240, seed: 5);
        var jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);

        var error = new FramePreprocessor(TestImages.Gray(32, 24), Budget).Preprocess(jpeg.AsSpan(0, jpeg.Length / 2), new float[32 * 24]);

        Assert.Equal("the image data could not be decoded: the data ends early (truncated file)", error);
    }

    [Fact]
    public void Reports_corrupt_jpeg_data_in_one_line_instead_of_scoring_it()
    {
        using var bitmap = TestImages.Noise(320, 240, seed: 5);
        var jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
        // A restart marker where none was announced, in the middle of the entropy-coded data.
        jpeg[jpeg.Length / 2] = 0xFF;
        jpeg[(jpeg.Length / 2) + 1] = 0xD3;

        var error = new FramePreprocessor(TestImages.Gray(32, 24), Budget).Preprocess(jpeg, new float[32 * 24]);

        Assert.NotNull(error);
        Assert.StartsWith("the image data could not be decoded: Corrupt JPEG data", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Reports_a_jpeg_with_a_broken_header_in_one_line()
    {
        byte[] broken = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x12, 0x34, 0x56];

        var error = new FramePreprocessor(TestImages.Gray(8, 8), Budget).Preprocess(broken, new float[64]);

        Assert.NotNull(error);
        Assert.StartsWith("not a decodable image (JPEG, PNG, BMP, GIF, WebP): ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Refuses_a_jpeg_over_the_decode_budget_from_its_header()
    {
        // A 64x48 JPEG whose frame header claims 65000x65000: even at 1/8 scale that is 66 M pixels.
        using var bitmap = TestImages.Noise(64, 48, seed: 1);
        var bomb = WithSize(TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg), 65000, 65000);
        var preprocessor = new FramePreprocessor(TestImages.Gray(64, 64), Budget);

        var error = preprocessor.Preprocess(bomb, new float[64 * 64]);

        Assert.Equal($"the frame is 65000x65000 and would decode to 8125x8125 pixels, more than the decode budget of {Budget} (Inference:MaxDecodePixels)", error);
        Assert.Equal(0, preprocessor.RetainedBytes);
    }

    [Fact]
    public void Decodes_a_jpeg_within_a_small_budget_only_at_the_reduced_scale()
    {
        // 1920x1080 decodes to 960x540 for this model: within a budget of 960x540 pixels, though the frame is four times that.
        using var bitmap = TestImages.Noise(1920, 1080, seed: 2);
        var jpeg = TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);

        Assert.Null(new FramePreprocessor(TestImages.Gray(640, 360), 960 * 540).Preprocess(jpeg, new float[640 * 360]));
        Assert.StartsWith("the frame is 1920x1080 and would decode to 960x540 pixels", new FramePreprocessor(TestImages.Gray(640, 360), (960 * 540) - 1).Preprocess(jpeg, new float[640 * 360]), StringComparison.Ordinal);
    }

    /// <summary>Rewrites the height and width of the baseline frame header (SOF0).</summary>
    private static byte[] WithSize(byte[] jpeg, int width, int height)
    {
        for (var i = 2; i < jpeg.Length - 9; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 7), (ushort)width);
                return jpeg;
            }
        }

        throw new InvalidOperationException("no SOF0 in the JPEG");
    }
}
