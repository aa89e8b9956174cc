using System.Diagnostics.Metrics;

namespace EdgeMl.Agent.Escalation;

/// <summary>What became of the device's cases since the agent started, as properties and as <c>EdgeMl.Agent.Cases</c> metrics.</summary>
public sealed class CaseCounters : IDisposable
{
    public const string MeterName = "EdgeMl.Agent.Cases";

    private readonly Meter _meter = new(MeterName);
    private long _recorded;
    private long _refused;
    private long _uploaded;
    private long _rejected;
    private long _alerts;
    private long _verdicts;

    public CaseCounters()
    {
        _meter.CreateObservableCounter("edgeml.agent.cases.recorded", () => Recorded, description: "Cases written to the outbox");
        _meter.CreateObservableCounter("edgeml.agent.cases.refused", () => Refused, description: "Cases the full outbox refused (their parts stay held)");
        _meter.CreateObservableCounter("edgeml.agent.cases.uploaded", () => Uploaded, description: "Cases the server acknowledged");
        _meter.CreateObservableCounter("edgeml.agent.cases.rejected", () => Rejected, description: "Cases the server refused as malformed");
        _meter.CreateObservableCounter("edgeml.agent.cases.queue_alerts", () => Alerts, description: "Alerts that the case queue is close to full, or full");
        _meter.CreateObservableCounter("edgeml.agent.cases.verdicts", () => Verdicts, description: "Inspectors' verdicts received from the server");
    }

    public long Recorded => Interlocked.Read(ref _recorded);

    public long Refused => Interlocked.Read(ref _refused);

    public long Uploaded => Interlocked.Read(ref _uploaded);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Alerts => Interlocked.Read(ref _alerts);

    public long Verdicts => Interlocked.Read(ref _verdicts);

    internal void CountRecorded() => Interlocked.Increment(ref _recorded);

    internal void CountRefused() => Interlocked.Increment(ref _refused);

    internal void CountUploaded() => Interlocked.Increment(ref _uploaded);

    internal void CountRejected() => Interlocked.Increment(ref _rejected);

    internal void CountAlert() => Interlocked.Increment(ref _alerts);

    internal void CountVerdict() => Interlocked.Increment(ref _verdicts);

    public void Dispose() => _meter.Dispose();
}
