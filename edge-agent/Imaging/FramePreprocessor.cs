using EdgeMl.Contracts.Packaging;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace EdgeMl.Agent.Imaging;

/// <summary>
/// Decodes one encoded frame and writes the model's input tensor: JPEG decoded at the smallest
/// power-of-two reduction that still covers the model's input, luma or colour planes, area
/// resampling of each tile, normalisation. JPEG goes through TurboJPEG where libturbojpeg is installed
/// (luma straight from the Y plane, as the training contract's PIL draft mode decodes it); other formats,
/// and JPEG on a machine without it, through SkiaSharp. One instance per worker; the pixel buffer is
/// reused up to the usual frame size, so a warm instance allocates nothing managed per frame beyond
/// SkiaSharp's small handles. A frame's decoded size is checked against the decode budget from its header
/// before anything is decoded, and a frame above the usual size decodes into memory freed with the frame.
/// </summary>
internal sealed class FramePreprocessor
{
    /// <summary>Decoded frames up to 32 MiB (4K UHD in RGBA) keep their buffer for the next frame; larger ones give it back at once.</summary>
    public const int RetainedBytesLimit = 32 * 1024 * 1024;

    private const string Undecodable = "not a decodable image (JPEG, PNG, BMP, GIF, WebP)";

    private readonly InputSpec _input;
    private readonly long _maxDecodePixels;
    private readonly bool _turboJpeg;
    private readonly TileLayout.Rect[] _tiles;
    private readonly AreaResampler _resampler = new();
    private readonly int[] _channelOffsets;
    private readonly float[] _multiply;
    private readonly float[] _add;
    private byte[] _pixels = [];
    private float[] _interleave = [];

    public FramePreprocessor(InputSpec input, long maxDecodePixels)
        : this(input, maxDecodePixels, TurboJpeg.IsAvailable)
    {
    }

    /// <summary>With <paramref name="turboJpeg"/> false, JPEG is decoded with SkiaSharp, as on a machine without libturbojpeg.</summary>
    public FramePreprocessor(InputSpec input, long maxDecodePixels, bool turboJpeg)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDecodePixels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDecodePixels, Inference.InferenceOptions.MaxDecodePixelsLimit);
        _input = input;
        _maxDecodePixels = maxDecodePixels;
        _turboJpeg = turboJpeg;
        _tiles = TileLayout.Compute(input);
        _channelOffsets = input.ColorSpace switch
        {
            "rgb" => [0, 1, 2],
            "bgr" => [2, 1, 0],
            _ => [0],
        };
        _multiply = new float[input.Channels];
        _add = new float[input.Channels];
        for (var c = 0; c < input.Channels; c++)
        {
            _multiply[c] = input.Scale / input.Std[c];
            _add[c] = -input.Mean[c] / input.Std[c];
        }
    }

    public int TileLength => _input.Channels * _input.Width * _input.Height;

    /// <summary>Bytes of decoded pixels kept between frames.</summary>
    public int RetainedBytes => _pixels.Length;

    /// <summary>The library that decodes JPEG frames here, for <c>bench</c> and <c>check</c>.</summary>
    public string JpegDecoder => _turboJpeg ? "libjpeg-turbo (TurboJPEG)" : "SkiaSharp";

    /// <summary>Fills <paramref name="tensor"/> (tiles x tile length) from <paramref name="encoded"/>; returns null, or why the frame cannot be used.</summary>
    public string? Preprocess(ReadOnlySpan<byte> encoded, Span<float> tensor) => Run(encoded, tensor, resample: true);

    /// <summary>Only decodes <paramref name="encoded"/> as <see cref="Preprocess"/> would, to luma or colour at the same scale: the decoder's share, for <c>bench</c>.</summary>
    public string? Decode(ReadOnlySpan<byte> encoded) => Run(encoded, [], resample: false);

    /// <summary>
    /// The size a frame of <paramref name="full"/> pixels decodes to for this model: the smallest power-of-two DCT
    /// reduction (1, 1/2, 1/4, 1/8) that keeps every tile at least as large as the model input.
    /// </summary>
    public float DecodeScale(SKSizeI full)
    {
        var needed = 0.0;
        foreach (var tile in _tiles)
        {
            needed = Math.Max(needed, Math.Max(_input.Width / (tile.Width * full.Width), _input.Height / (tile.Height * full.Height)));
        }

        var scale = 1f;
        while (scale > 0.125f && scale / 2 >= needed)
        {
            scale /= 2;
        }

        return scale;
    }

    private string? Run(ReadOnlySpan<byte> encoded, Span<float> tensor, bool resample)
    {
        if (encoded.IsEmpty)
        {
            return "the file is empty";
        }

        return _turboJpeg && TurboJpegFrame.IsJpeg(encoded) ? PreprocessJpeg(encoded, tensor, resample) : PreprocessWithSkia(encoded, tensor, resample);
    }

    private unsafe string? PreprocessJpeg(ReadOnlySpan<byte> encoded, Span<float> tensor, bool resample)
    {
        fixed (byte* jpeg = encoded)
        {
            using var frame = new TurboJpegFrame(jpeg, encoded.Length);
            if (frame.ReadHeader(out var width, out var height, out var cmyk) is { } header)
            {
                return $"{Undecodable}: {header}";
            }

            if (cmyk)
            {
                return PreprocessWithSkia(encoded, tensor, resample);
            }

            var full = new SKSizeI(width, height);
            var scale = DecodeScale(full);
            var size = new SKSizeI(TurboJpegFrame.Scaled(width, scale), TurboJpegFrame.Scaled(height, scale));
            if (Plan(full, ref size) is { } refused)
            {
                return refused;
            }

            var luma = _input.Channels == 1;
            var step = luma ? 1 : 3;
            var pixels = Acquire((long)size.Width * size.Height * step);
            try
            {
                if (frame.Decode(pixels, size.Width, size.Height, luma) is { } failed)
                {
                    return $"the image data could not be decoded: {failed}";
                }

                if (resample)
                {
                    Resample(pixels, size, size.Width * step, step, tensor);
                }

                return null;
            }
            finally
            {
                Release(pixels);
            }
        }
    }

    private unsafe string? PreprocessWithSkia(ReadOnlySpan<byte> encoded, Span<float> tensor, bool resample)
    {
        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            return $"{Undecodable}: {Describe(created)}";
        }

        var full = codec.Info.Size;
        var size = full.Width > 0 && full.Height > 0 ? codec.GetScaledDimensions(DecodeScale(full)) : full;
        if (Plan(full, ref size) is { } refused)
        {
            return refused;
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = Acquire(info.BytesSize64);
        try
        {
            var decoded = codec.GetPixels(info, (IntPtr)pixels);
            if (decoded != SKCodecResult.Success)
            {
                return $"the image data could not be decoded: {Describe(decoded)}";
            }

            var luma = _input.Channels == 1;
            if (luma)
            {
                ToLuma(new Span<byte>(pixels, info.BytesSize), size.Width * size.Height);
            }

            if (resample)
            {
                Resample(pixels, size, luma ? size.Width : info.RowBytes, luma ? 1 : 4, tensor);
            }

            return null;
        }
        finally
        {
            Release(pixels);
        }
    }

    /// <summary>Falls back to the full size where the reduced one would not cover the input, then checks the budget; null, or why the frame is refused.</summary>
    private string? Plan(SKSizeI full, ref SKSizeI size)
    {
        if (full.Width < 1 || full.Height < 1)
        {
            return $"the frame is {full.Width}x{full.Height} pixels: empty";
        }

        if (!Covers(size))
        {
            size = full;
        }

        // Checked on the header, before a byte is decoded: a few kilobytes of PNG or JPEG can claim gigabytes of pixels.
        if ((long)size.Width * size.Height > _maxDecodePixels)
        {
            return $"the frame is {full.Width}x{full.Height} and would decode to {size.Width}x{size.Height} pixels, more than the decode budget of {_maxDecodePixels} (Inference:MaxDecodePixels)";
        }

        return null;
    }

    /// <summary>
    /// Pixels for one frame: the kept buffer (pinned, so its address holds while native code writes into it) up to the
    /// usual size; above it native memory, not pooled or managed, freed the moment the frame is done so RSS falls back with it.
    /// </summary>
    private unsafe byte* Acquire(long length)
    {
        if (length <= RetainedBytesLimit)
        {
            if (_pixels.Length < length)
            {
                _pixels = GC.AllocateUninitializedArray<byte>((int)length, pinned: true);
            }

            return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_pixels));
        }

        return (byte*)NativeMemory.Alloc((nuint)length);
    }

    private unsafe void Release(byte* pixels)
    {
        if (_pixels.Length == 0 || pixels != Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_pixels)))
        {
            NativeMemory.Free(pixels);
        }
    }

    private unsafe void Resample(byte* pixels, SKSizeI size, int stride, int step, Span<float> tensor)
    {
        var width = size.Width;
        var height = size.Height;
        var planes = new ReadOnlySpan<byte>(pixels, checked(stride * height));
        for (var t = 0; t < _tiles.Length; t++)
        {
            var tile = _tiles[t];
            _resampler.Plan(
                width, height,
                tile.X * width, tile.Y * height, tile.Width * width, tile.Height * height,
                _input.Width, _input.Height);
            WriteTile(planes, stride, step, tensor.Slice(t * TileLength, TileLength));
        }
    }

    private void WriteTile(ReadOnlySpan<byte> planes, int stride, int step, Span<float> tile)
    {
        var plane = _input.Width * _input.Height;
        var channels = _input.Channels;
        if (_input.Layout == "NCHW")
        {
            for (var c = 0; c < channels; c++)
            {
                _resampler.Resample(planes, stride, step, _channelOffsets[c], tile.Slice(c * plane, plane), _multiply[c], _add[c]);
            }

            return;
        }

        Grow(ref _interleave, plane);
        for (var c = 0; c < channels; c++)
        {
            _resampler.Resample(planes, stride, step, _channelOffsets[c], _interleave.AsSpan(0, plane), _multiply[c], _add[c]);
            for (var p = 0; p < plane; p++)
            {
                tile[(p * channels) + c] = _interleave[p];
            }
        }
    }

    private bool Covers(SKSizeI size) =>
        _tiles.All(t => t.Width * size.Width >= _input.Width - 1e-6 && t.Height * size.Height >= _input.Height - 1e-6);

    /// <summary>ITU-R BT.601 luma in 16-bit fixed point, the weights libjpeg uses for its Y channel; written in place (pixel p's luma lands at p, never ahead of what is still to be read).</summary>
    private static void ToLuma(Span<byte> rgba, int pixels)
    {
        for (var p = 0; p < pixels; p++)
        {
            var i = p * 4;
            rgba[p] = (byte)(((rgba[i] * 19595) + (rgba[i + 1] * 38470) + (rgba[i + 2] * 7471) + 32768) >> 16);
        }
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the data ends early (truncated file)",
        SKCodecResult.ErrorInInput => "the data is corrupt",
        SKCodecResult.Unimplemented or SKCodecResult.InvalidInput => "unknown or unsupported image format",
        _ => result.ToString(),
    };
}
