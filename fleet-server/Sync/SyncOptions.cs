namespace EdgeMl.Fleet.Sync;

/// <summary>How desired states are signed and served; bound from the <c>Sync</c> section and <c>EDGEML_SYNC__*</c>.</summary>
internal sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>How long a signed desired state stays valid; the server re-sends it well before (freeze protection).</summary>
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Bytes per message of a model download; devices take messages up to 4 MiB.</summary>
    public int DownloadChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// After the server starts, a device that has not reconnected counts as offline (and stops holding its
    /// rollout wave open) only after this long; agents retry at least every 30 s by default.
    /// </summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(60);
}
