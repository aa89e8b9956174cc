using EdgeMl.Agent.Capture;
using EdgeMl.Contracts.Configuration;

namespace EdgeMl.Agent.Sync;

/// <summary>The agent's <c>run</c> settings; from a config file (<c>Agent</c> section), <c>EDGEML_AGENT__*</c> and flags.</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>Fleet server gRPC address, e.g. http://fleet:7400.</summary>
    [CommandLineFlag("--server")]
    public string? Server { get; set; }

    /// <summary>One-time enrolment token; needed only until the device has enrolled.</summary>
    [CommandLineFlag("--token")]
    public string? Token { get; set; }

    /// <summary>Identity, verified models and state; kept across restarts and upgrades.</summary>
    [CommandLineFlag("--data")]
    public string DataDirectory { get; set; } = "agent-data";

    /// <summary>Folder watched for new frames.</summary>
    [CommandLineFlag("--input")]
    public string? Input { get; set; }

    /// <summary>Folder replayed in a loop as a simulated camera, at <see cref="Fps"/>.</summary>
    [CommandLineFlag("--replay")]
    public string? Replay { get; set; }

    /// <summary>Frames per second of <see cref="Replay"/>.</summary>
    [CommandLineFlag("--fps")]
    public double Fps { get; set; } = 10;

    /// <summary>A live camera: a V4L2 device (/dev/video0) or a stream URL (rtsp://, http:// MJPEG), read through ffmpeg.</summary>
    [CommandLineFlag("--camera")]
    public string? Camera { get; set; }

    /// <summary>Tags sent at enrolment, e.g. site=a,line=3.</summary>
    [CommandLineFlag("--tags")]
    public string? Tags { get; set; }

    /// <summary>Reconnect backoff: starts here, doubles up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnects to the server or the camera.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PEM of the fleet's CA (or the server's own certificate) when the server's TLS certificate is not publicly trusted.</summary>
    [CommandLineFlag("--trust")]
    public string? TrustedCertificate { get; set; }

    /// <summary>Largest bundle the agent downloads, whatever the server says.</summary>
    public long MaxBundleBytes { get; set; } = 600L * 1024 * 1024;

    /// <summary>A download that receives no byte for this long is dropped and asked again from where it stopped.</summary>
    public TimeSpan DownloadStallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest one download may take, retries included: a server that trickles cannot hold the updater.</summary>
    public TimeSpan DownloadDeadline { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Server) || !Uri.TryCreate(Server, UriKind.Absolute, out _))
        {
            yield return "Agent:Server (--server) must be the fleet server's address, e.g. http://127.0.0.1:7400";
        }

        if (new[] { Input, Replay, Camera }.Count(s => s is not null) > 1)
        {
            yield return "give one of --input (watch a folder), --replay (loop a folder) or --camera (a live camera)";
        }

        foreach (var problem in Camera is null ? [] : CameraInput.Problems(Camera))
        {
            yield return problem;
        }

        if (Fps is <= 0 or > 1000)
        {
            yield return $"--fps {Fps} must be between 0 and 1000";
        }

        if (DownloadStallTimeout <= TimeSpan.Zero || DownloadStallTimeout >= DownloadDeadline)
        {
            yield return $"Agent:DownloadStallTimeout ({DownloadStallTimeout}) must be positive and shorter than Agent:DownloadDeadline ({DownloadDeadline})";
        }
    }
}
