namespace EdgeMl.Fleet.Hosting;

/// <summary>
/// The largest gRPC message each service takes. A message is buffered whole before any handler
/// (and so before any credential check) runs, so these bound what an anonymous caller can make
/// the server hold: device requests are a few hundred bytes, a model arrives in chunks.
/// </summary>
internal static class MessageLimits
{
    public const int DeviceRequestBytes = 16 * 1024;

    /// <summary>A case upload (CaseService only): the largest image and heatmap, with room for the rest.</summary>
    public const int CaseUploadBytes = Review.CaseUploadCheck.ImageBytes + Review.CaseUploadCheck.HeatmapBytes + (64 * 1024);

    /// <summary>Size of one <c>PushModel</c> chunk that the CLI sends.</summary>
    public const int PushChunkBytes = 1024 * 1024;

    /// <summary>A push chunk, or the manifest in the first message, with room for framing.</summary>
    public const int AdminRequestBytes = PushChunkBytes + (256 * 1024);
}
