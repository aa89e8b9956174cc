using System.Runtime.InteropServices;

namespace EdgeMl.Agent.Imaging;

/// <summary>
/// The TurboJPEG API of libjpeg-turbo (Debian package <c>libturbojpeg0</c>): the one JPEG decoder that
/// writes luma straight from the Y plane at a DCT scale of 1/2, 1/4 or 1/8, which SkiaSharp cannot
/// (it refuses Gray8). Only the 2.x entry points are used; libjpeg-turbo 3 still exports them.
/// </summary>
internal static partial class TurboJpeg
{
    public const string Library = "libturbojpeg.so.0";

    /// <summary>TJPF_RGB and TJPF_GRAY.</summary>
    public const int PixelRgb = 0;

    public const int PixelGray = 6;

    /// <summary>
    /// TJFLAG_STOPONWARNING: a truncated or corrupt frame is an error, not a frame scored on grey filler;
    /// TJFLAG_LIMITSCANS: a progressive JPEG with hundreds of scans (a known decode-time bomb) is refused.
    /// </summary>
    public const int StrictFlags = 8192 | 32768;

    /// <summary>Whether the library can be loaded on this machine; without it the agent decodes JPEG with SkiaSharp.</summary>
    public static bool IsAvailable { get; } = Probe();

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    public static partial nint InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    public static partial int Destroy(nint handle);

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    public static unsafe partial int DecompressHeader(nint handle, byte* jpeg, nuint length, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    public static unsafe partial int Decompress(nint handle, byte* jpeg, nuint length, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    public static partial nint GetErrorText(nint handle);

    public static string ErrorText(nint handle) => Marshal.PtrToStringUTF8(GetErrorText(handle)) ?? "unknown error";

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(Library, typeof(TurboJpeg).Assembly, null, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
