using SkiaSharp;

namespace EdgeMl.Agent.Escalation;

/// <summary>The review station takes JPEG: a JPEG frame travels as it came, anything else (a PNG from a folder) is re-encoded.</summary>
internal static class CaseJpeg
{
    private const int Quality = 90;

    /// <summary>The frame as JPEG; null when it cannot be decoded.</summary>
    public static byte[]? From(ReadOnlyMemory<byte> encoded)
    {
        if (encoded.Span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return encoded.ToArray();
        }

        using var bitmap = SKBitmap.Decode(encoded.Span);
        if (bitmap is null)
        {
            return null;
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, Quality);
        return jpeg.ToArray();
    }
}
