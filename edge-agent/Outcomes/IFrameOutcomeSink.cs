namespace EdgeMl.Agent.Outcomes;

/// <summary>
/// Something done with each frame's result (line I/O, telemetry, escalation...). A sink gets
/// outcomes on a queue of its own, so a slow or failing sink delays nobody, and it never reaches
/// back into the pipeline. Register one with <see cref="FrameOutcomeServiceCollectionExtensions.AddFrameOutcomeSink{TSink}"/>.
/// </summary>
public interface IFrameOutcomeSink
{
    /// <summary>Names the sink in logs and drop counts.</summary>
    string Name { get; }

    /// <summary>How many outcomes may wait for this sink and which are lost when that many do.</summary>
    FrameOutcomeQueue Queue { get; }

    /// <summary>Called for each outcome in frame order, one at a time.</summary>
    ValueTask ConsumeAsync(FrameOutcome outcome, CancellationToken cancellationToken);
}
