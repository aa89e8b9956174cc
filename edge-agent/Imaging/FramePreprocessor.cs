using EdgeMl.Contracts.Packaging;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace EdgeMl.Agent.Imaging;

/// <summary>
/// Decodes one encoded frame and writes the model's input tensor: JPEG decoded at the smallest
/// power-of-two reduction that still covers the model's input, luma or colour planes, area
/// resampling of each tile, normalisation. One instance per worker; the pixel buffer is reused up to
/// the usual frame size, so a warm instance allocates nothing managed per frame beyond SkiaSharp's
/// small handles. A frame's decoded size is checked against the decode budget from its header before
/// anything is decoded, and a frame above the usual size decodes into memory freed with the frame.
/// </summary>
internal sealed class FramePreprocessor
{
    /// <summary>Decoded frames up to 8 Mi pixels (4K UHD, 32 MiB) keep their buffer for the next frame; larger ones give it back at once.</summary>
    public const int RetainedPixels = 8 * 1024 * 1024;

    private readonly InputSpec _input;
    private readonly long _maxDecodePixels;
    private readonly TileLayout.Rect[] _tiles;
    private readonly AreaResampler _resampler = new();
    private readonly int[] _channelOffsets;
    private readonly float[] _multiply;
    private readonly float[] _add;
    private byte[] _pixels = [];
    private float[] _interleave = [];

    public FramePreprocessor(InputSpec input, long maxDecodePixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDecodePixels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDecodePixels, Inference.InferenceOptions.MaxDecodePixelsLimit);
        _input = input;
        _maxDecodePixels = maxDecodePixels;
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

    /// <summary>Fills <paramref name="tensor"/> (tiles x tile length) from <paramref name="encoded"/>; returns null, or why the frame cannot be used.</summary>
    public string? Preprocess(ReadOnlySpan<byte> encoded, Span<float> tensor)
    {
        if (encoded.IsEmpty)
        {
            return "the file is empty";
        }

        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            return $"not a decodable image (JPEG, PNG, BMP, GIF, WebP): {Describe(created)}";
        }

        var full = codec.Info.Size;
        if (full.Width < 1 || full.Height < 1)
        {
            return $"the frame is {full.Width}x{full.Height} pixels: empty";
        }

        var size = codec.GetScaledDimensions(DecodeScale(full));
        if (!Covers(size))
        {
            size = full;
        }

        // Checked on the header, before a byte is decoded: a few kilobytes of PNG can claim gigabytes of pixels.
        if ((long)size.Width * size.Height > _maxDecodePixels)
        {
            return $"the frame is {full.Width}x{full.Height} and would decode to {size.Width}x{size.Height} pixels, more than the decode budget of {_maxDecodePixels} (Inference:MaxDecodePixels)";
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var length = info.BytesSize;
        unsafe
        {
            if ((long)size.Width * size.Height <= RetainedPixels)
            {
                Grow(ref _pixels, length);
                fixed (byte* pixels = _pixels)
                {
                    return Decode(codec, info, pixels, tensor);
                }
            }

            // Native, not pooled or managed: freed the moment the frame is done, so RSS falls back with it.
            var large = (byte*)NativeMemory.Alloc((nuint)length);
            try
            {
                return Decode(codec, info, large, tensor);
            }
            finally
            {
                NativeMemory.Free(large);
            }
        }
    }

    private unsafe string? Decode(SKCodec codec, SKImageInfo info, byte* buffer, Span<float> tensor)
    {
        var decoded = codec.GetPixels(info, (IntPtr)buffer);
        if (decoded != SKCodecResult.Success)
        {
            return $"the image data could not be decoded: {Describe(decoded)}";
        }

        var width = info.Width;
        var height = info.Height;
        var planes = new Span<byte>(buffer, info.BytesSize);
        var stride = info.RowBytes;
        var step = 4;
        if (_input.Channels == 1)
        {
            ToLuma(planes, width * height);
            stride = width;
            step = 1;
        }

        for (var t = 0; t < _tiles.Length; t++)
        {
            var tile = _tiles[t];
            _resampler.Plan(
                width, height,
                tile.X * width, tile.Y * height, tile.Width * width, tile.Height * height,
                _input.Width, _input.Height);
            WriteTile(planes, stride, step, tensor.Slice(t * TileLength, TileLength));
        }

        return null;
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

    /// <summary>The smallest power-of-two reduction (as libjpeg offers) that keeps every tile at least as large as the model input.</summary>
    private float DecodeScale(SKSizeI full)
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
