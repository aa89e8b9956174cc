using System.Threading.Channels;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Agent.Telemetry;

/// <summary>
/// Sums outcomes per model (active and shadow) over the open interval; <see cref="CloseWindow"/>
/// turns the interval into one <see cref="ModelAggregate"/> per model and opens the next.
/// </summary>
internal sealed class TelemetryAggregator : IFrameOutcomeSink
{
    private readonly Lock _gate = new();
    private Dictionary<(ModelRole Role, ModelVersionId? Model), ModelWindow> _models = [];
    private DateTimeOffset _start;
    private ModelVersionId? _lastActive;

    public TelemetryAggregator(TimeProvider time) => _start = time.GetUtcNow();

    public string Name => "telemetry";

    /// <summary>Counting is cheap, so a full queue means a stalled aggregator: then the newest frames matter more.</summary>
    public FrameOutcomeQueue Queue { get; } = new(4096, BoundedChannelFullMode.DropOldest);

    public ValueTask ConsumeAsync(FrameOutcome outcome, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Window(ModelRole.Active, outcome.Model).RecordActive(outcome);
            _lastActive = outcome.Model;
            if (outcome.Shadow is { } shadow)
            {
                Window(ModelRole.Shadow, shadow.Model).RecordShadow(outcome, shadow);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Ends the open interval at <paramref name="end"/>: one aggregate per model that saw frames, with
    /// <paramref name="droppedFrames"/> on the aggregate of the model active last.
    /// </summary>
    public IReadOnlyList<ModelAggregate> CloseWindow(DateTimeOffset end, long droppedFrames)
    {
        Dictionary<(ModelRole Role, ModelVersionId? Model), ModelWindow> closed;
        DateTimeOffset start;
        lock (_gate)
        {
            (closed, _models) = (_models, []);
            (start, _start) = (_start, end);
            if (droppedFrames > 0)
            {
                // The last active model is the one the dropped frames would have gone to.
                if (!closed.TryGetValue((ModelRole.Active, _lastActive), out var window))
                {
                    closed[(ModelRole.Active, _lastActive)] = window = new ModelWindow(ModelRole.Active, _lastActive);
                }

                window.DroppedFrames = droppedFrames;
            }
        }

        return closed.Select(w => w.Value.ToMessage(Guid.CreateVersion7(end).ToString(), start, end)).ToList();
    }

    private ModelWindow Window(ModelRole role, ModelVersionId? model)
    {
        if (!_models.TryGetValue((role, model), out var window))
        {
            _models[(role, model)] = window = new ModelWindow(role, model);
        }

        return window;
    }
}
