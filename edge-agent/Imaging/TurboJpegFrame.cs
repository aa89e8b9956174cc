namespace EdgeMl.Agent.Imaging;

/// <summary>
/// One JPEG frame on its way through TurboJPEG: the header first, so that the decode budget is checked before a
/// pixel is decoded, then luma (or RGB) straight at the DCT scale asked for. A decompressor lives for one frame:
/// creating one costs microseconds against milliseconds of decoding, and the preprocessor stays free of native state.
/// </summary>
internal readonly unsafe ref struct TurboJpegFrame
{
    /// <summary>TJCS_CMYK and TJCS_YCCK: TurboJPEG cannot turn these into luma or RGB; SkiaSharp can.</summary>
    private const int ColorspaceCmyk = 3;
    private const int ColorspaceYcck = 4;

    private readonly nint _handle;
    private readonly byte* _jpeg;
    private readonly nuint _length;

    public TurboJpegFrame(byte* jpeg, int length)
    {
        _handle = TurboJpeg.InitDecompress();
        if (_handle == 0)
        {
            throw new InsufficientMemoryException("TurboJPEG could not create a decompressor");
        }

        _jpeg = jpeg;
        _length = (nuint)length;
    }

    /// <summary>Whether <paramref name="encoded"/> starts as a JPEG does (SOI and the next marker).</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> encoded) => encoded.Length >= 3 && encoded[0] == 0xFF && encoded[1] == 0xD8 && encoded[2] == 0xFF;

    /// <summary>The size libjpeg gives a side at a DCT scale of 1/2^k: rounded up.</summary>
    public static int Scaled(int size, float scale) => (int)Math.Ceiling(size * (double)scale);

    /// <summary>Reads the frame's size; null, or why the header is unusable.</summary>
    public string? ReadHeader(out int width, out int height, out bool cmyk)
    {
        var result = TurboJpeg.DecompressHeader(_handle, _jpeg, _length, out width, out height, out _, out var colorspace);
        cmyk = colorspace is ColorspaceCmyk or ColorspaceYcck;
        if (result != 0)
        {
            return TurboJpeg.ErrorText(_handle);
        }

        // TurboJPEG reads a tables-only stream, or one cut before its frame header, as a success of size 0x0.
        return width < 1 || height < 1 ? "no frame header (the data ends before the image starts)" : null;
    }

    /// <summary>
    /// Decodes into <paramref name="destination"/> (<paramref name="width"/> x <paramref name="height"/>, dense rows of
    /// 1 byte a pixel for luma, 3 for RGB); the size picks the DCT scale. Null, or why the data cannot be decoded.
    /// </summary>
    public string? Decode(byte* destination, int width, int height, bool luma)
    {
        var bytesPerPixel = luma ? 1 : 3;
        var result = TurboJpeg.Decompress(
            _handle, _jpeg, _length, destination, width, width * bytesPerPixel, height,
            luma ? TurboJpeg.PixelGray : TurboJpeg.PixelRgb, TurboJpeg.StrictFlags);
        return result == 0 ? null : Reason();
    }

    /// <summary>libjpeg's reason, in the SkiaSharp path's words where those say more to an operator.</summary>
    private string Reason() => TurboJpeg.ErrorText(_handle) switch
    {
        "Premature end of JPEG file" => "the data ends early (truncated file)",
        var text => text,
    };

    /// <summary>tjDestroy fails only for a handle it never made, which the constructor rules out.</summary>
    public void Dispose() => _ = TurboJpeg.Destroy(_handle);
}
