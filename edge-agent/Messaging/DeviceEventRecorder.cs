using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Sync;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Messaging;

/// <summary>
/// Turns what happens to the device's models into <see cref="DeviceEvent"/>s in the outbox (published on <c>.../events</c>):
/// a model swapped in or unloaded, a desired state that failed, was refused or went stale. It only listens; the updater
/// and the reporter do not know it exists.
/// </summary>
internal sealed partial class DeviceEventRecorder(ModelHolder models, StatusReporter reporter, OutboxStore outbox, TimeProvider time, ILogger<DeviceEventRecorder> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        models.Swapped += OnSwapped;
        reporter.Posted += OnPosted;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        models.Swapped -= OnSwapped;
        reporter.Posted -= OnPosted;
        return Task.CompletedTask;
    }

    private void OnSwapped(ModelSet set) =>
        Record(DeviceEventKind.ModelChanged, set.Active.Manifest.Name, set.Active.Manifest.Version, set.Shadow is { } shadow ? $"shadow {shadow.Manifest.Id}" : "");

    private void OnPosted(StatusReport report)
    {
        switch (report.State)
        {
            case DeviceModelState.Failed or DeviceModelState.Refused or DeviceModelState.Stale:
                Record(DeviceEventKind.Error, report.ModelName, report.ModelVersion, $"{report.State.ToString().ToLowerInvariant()}: {report.Reason}");
                break;
            case DeviceModelState.NoModel:
                Record(DeviceEventKind.ModelChanged, "", "", "no model: every frame goes to a person");
                break;
        }
    }

    /// <summary>A new event with its id and time; the one constructor of device events, whoever records them.</summary>
    public static DeviceEvent NewEvent(DeviceEventKind kind, DateTimeOffset at, string detail, string model = "", string version = "") => new()
    {
        MessageId = Guid.CreateVersion7(at).ToString(),
        At = Timestamp.FromDateTimeOffset(at),
        Kind = kind,
        ModelName = model,
        ModelVersion = version,
        Detail = detail,
    };

    private void Record(DeviceEventKind kind, string model, string version, string detail)
    {
        var message = NewEvent(kind, time.GetUtcNow(), detail, model, version);
        if (outbox.Enqueue(OutboxKind.Event, message.MessageId, message.ToByteArray()) == OutboxAdmission.Refused)
        {
            LogNotRecorded(logger, kind, detail);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device event {Kind} ({Detail}) not recorded: the outbox is full of messages that may not be dropped")]
    private static partial void LogNotRecorded(ILogger logger, DeviceEventKind kind, string detail);
}
