using EdgeMl.Contracts.Packaging;
using SkiaSharp;

namespace EdgeMl.Agent.Imaging;

/// <summary>
/// Decodes one encoded frame and writes the model's input tensor: JPEG decoded at the smallest
/// power-of-two reduction that still covers the model's input, luma or colour planes, area
/// resampling of each tile, normalisation. One instance per worker; buffers are reused, so a
/// warm instance allocates nothing managed per frame beyond SkiaSharp's small handles.
/// </summary>
internal sealed class FramePreprocessor
{
    /// <summary>Frames above this are refused rather than decoded: a decompression bomb must not take the device down.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    private readonly InputSpec _input;
    private readonly TileLayout.Rect[] _tiles;
    private readonly AreaResampler _resampler = new();
    private readonly int[] _channelOffsets;
    private readonly float[] _multiply;
    private readonly float[] _add;
    private byte[] _pixels = [];
    private byte[] _luma = [];
    private float[] _interleave = [];

    public FramePreprocessor(InputSpec input)
    {
        _input = input;
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
        if ((long)full.Width * full.Height > MaxPixels || full.Width < 1 || full.Height < 1)
        {
            return $"the frame is {full.Width}x{full.Height}, outside the supported 1 to {MaxPixels} pixels";
        }

        var size = codec.GetScaledDimensions(DecodeScale(full));
        if (!Covers(size))
        {
            size = full;
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var stride = info.RowBytes;
        Grow(ref _pixels, info.BytesSize);
        SKCodecResult decoded;
        unsafe
        {
            fixed (byte* pixels = _pixels)
            {
                decoded = codec.GetPixels(info, (IntPtr)pixels);
            }
        }

        if (decoded != SKCodecResult.Success)
        {
            return $"the image data could not be decoded: {Describe(decoded)}";
        }

        ReadOnlySpan<byte> planes = _pixels;
        var step = 4;
        if (_input.Channels == 1)
        {
            ToLuma(_pixels.AsSpan(0, info.BytesSize), size.Width * size.Height);
            planes = _luma;
            stride = size.Width;
            step = 1;
        }

        for (var t = 0; t < _tiles.Length; t++)
        {
            var tile = _tiles[t];
            _resampler.Plan(
                size.Width, size.Height,
                tile.X * size.Width, tile.Y * size.Height, tile.Width * size.Width, tile.Height * size.Height,
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

    /// <summary>ITU-R BT.601 luma in 16-bit fixed point, the weights libjpeg uses for its Y channel.</summary>
    private void ToLuma(ReadOnlySpan<byte> rgba, int pixels)
    {
        Grow(ref _luma, pixels);
        var luma = _luma.AsSpan(0, pixels);
        for (var p = 0; p < pixels; p++)
        {
            var i = p * 4;
            luma[p] = (byte)(((rgba[i] * 19595) + (rgba[i + 1] * 38470) + (rgba[i + 2] * 7471) + 32768) >> 16);
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
