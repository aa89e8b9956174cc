using EdgeMl.Protos.Fleet;

namespace EdgeMl.Agent.Sync;

/// <summary>The status reports of one desired-state revision; each repeats the revision, so the server knows which state they answer.</summary>
internal sealed class UpdateProgress(StatusReporter reporter, ulong revision)
{
    /// <summary>Bytes of the bundle on disk, carried by the reports that follow.</summary>
    public long Bytes { get; set; }

    /// <summary>Queues a report about <paramref name="model"/> (none: the device has no model); it is delivered in the background.</summary>
    public void Post(string kind, InstalledModel? model, DeviceModelState state, string reason = "", string provider = "") =>
        reporter.Post(kind, new StatusReport
        {
            Revision = revision,
            ModelName = model?.Name ?? "",
            ModelVersion = model?.Version ?? "",
            State = state,
            Reason = reason,
            ExecutionProvider = provider,
            BytesDownloaded = Bytes,
        });
}
