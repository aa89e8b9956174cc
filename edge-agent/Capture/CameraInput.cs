namespace EdgeMl.Agent.Capture;

/// <summary>The ffmpeg input arguments for a camera address: a V4L2 device, an RTSP stream, or MJPEG over HTTP.</summary>
internal static class CameraInput
{
    public static IReadOnlyList<string> Arguments(string camera)
    {
        if (camera.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return ["-f", "v4l2", "-i", camera];
        }

        if (!Uri.TryCreate(camera, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"--camera '{camera}' is neither a device (/dev/video0) nor a URL (rtsp://, http://)");
        }

        return uri.Scheme switch
        {
            // TCP interleaving survives the NAT and firewalls between a line and its cameras; UDP loses frames silently.
            "rtsp" or "rtsps" => ["-rtsp_transport", "tcp", "-i", camera],
            "http" or "https" => ["-i", camera],
            _ => throw new ArgumentException($"--camera '{camera}': scheme '{uri.Scheme}' is not supported; use rtsp://, http:// or a /dev/videoN device"),
        };
    }
}
