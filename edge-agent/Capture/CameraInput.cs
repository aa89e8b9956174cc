namespace EdgeMl.Agent.Capture;

/// <summary>How ffmpeg opens a camera address: a V4L2 device, an RTSP stream, or MJPEG over HTTP.</summary>
internal static class CameraInput
{
    /// <summary>ffmpeg's input arguments for the camera; null for an address it cannot be.</summary>
    public static IReadOnlyList<string>? Arguments(string camera)
    {
        if (camera.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return ["-f", "v4l2", "-i", camera];
        }

        if (!Uri.TryCreate(camera, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return uri.Scheme switch
        {
            // TCP interleaving survives the NAT and firewalls between a line and its cameras; UDP loses frames silently.
            "rtsp" or "rtsps" => ["-rtsp_transport", "tcp", "-i", camera],
            "http" or "https" => ["-i", camera],
            _ => null,
        };
    }

    /// <summary>Every problem with reading this camera here, for the start-up check.</summary>
    public static IEnumerable<string> Problems(string camera)
    {
        if (Arguments(camera) is null)
        {
            yield return $"--camera '{camera}' must be a device (/dev/video0) or an rtsp://, rtsps://, http:// or https:// URL";
        }

        if (Ffmpeg() is null)
        {
            yield return "--camera reads the camera through ffmpeg, which is not on PATH; install it (apt-get install ffmpeg)";
        }
    }

    public static string? Ffmpeg() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "ffmpeg"))
            .FirstOrDefault(File.Exists);
}
