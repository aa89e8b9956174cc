using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.LineIo;

/// <summary>
/// Steers each part the trigger announces by its decision: pass goes on untouched, reject to the reject gate,
/// anything unsure (escalated, unscorable, or not decided before the part reaches the gates) to the fail-safe
/// route. Parts in the hold lane wait there until a person's verdict releases or scraps them.
/// </summary>
public sealed partial class PartRouter : IDisposable
{
    private readonly GpioController _gpio;
    private readonly LineIoOptions _options;
    private readonly IScoreRequests _scoring;
    private readonly TimeProvider _time;
    private readonly ILogger<PartRouter> _logger;
    private readonly PulseOutput _reject;
    private readonly PulseOutput? _hold;
    private readonly PulseOutput? _release;
    private readonly PulseOutput? _scrap;
    private readonly PartTrigger _trigger;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, ITimer> _pending = [];
    private readonly SortedSet<long> _held = [];
    private long _nextPart;

    public PartRouter(GpioController gpio, LineIoOptions options, IScoreRequests scoring, TimeProvider time, ILogger<PartRouter> logger)
    {
        _gpio = gpio;
        _options = options;
        _scoring = scoring;
        _time = time;
        _logger = logger;
        _reject = new PulseOutput(gpio, Required(options.RejectPin), options.GatePulse, time);
        if (options.FailSafe == FailSafeRoute.Hold)
        {
            _hold = new PulseOutput(gpio, Required(options.HoldPin), options.GatePulse, time);
            _release = new PulseOutput(gpio, Required(options.ReleasePin), options.GatePulse, time);
            _scrap = new PulseOutput(gpio, Required(options.ScrapPin), options.GatePulse, time);
        }

        if (options.LampPin is { } lamp)
        {
            gpio.OpenPin(lamp, PinMode.Output, PinValue.Low);
        }

        _trigger = new PartTrigger(gpio, Required(options.TriggerPin), options.TriggerEdge, options.Debounce, time, OnPartPresent);
    }

    public long Passed { get; private set; }

    public long Rejected { get; private set; }

    /// <summary>Parts sent to the hold lane, whatever became of them later.</summary>
    public long Held { get; private set; }

    /// <summary>Parts whose decision did not come before <see cref="LineIoOptions.VerdictDeadline"/>.</summary>
    public long TimedOut { get; private set; }

    /// <summary>Decisions for parts that had already gone the fail-safe way, or that the line never announced.</summary>
    public long LateDecisions { get; private set; }

    /// <summary>Parts in the hold lane now, oldest first.</summary>
    public IReadOnlyList<long> WaitingForPerson
    {
        get
        {
            lock (_lock)
            {
                return [.. _held];
            }
        }
    }

    /// <summary>Takes the decision for a part; a decision after the deadline no longer moves the part.</summary>
    public void Decide(PartDecision decision)
    {
        lock (_lock)
        {
            if (!_pending.Remove(decision.PartId, out var deadline))
            {
                LateDecisions++;
                LogLate(_logger, decision.PartId, decision.Decision);
                return;
            }

            deadline.Dispose();
            Route(decision.PartId, decision.Decision);
        }
    }

    /// <summary>Applies a person's verdict to a held part; false when the part is not in the hold lane.</summary>
    public bool ResolveHeld(long partId, HeldVerdict verdict)
    {
        lock (_lock)
        {
            if (!_held.Remove(partId))
            {
                return false;
            }

            (verdict == HeldVerdict.Release ? _release : _scrap)!.Pulse();
            LogResolved(_logger, partId, verdict);
            UpdateLamp();
            return true;
        }
    }

    public void Dispose()
    {
        _trigger.Dispose();
        lock (_lock)
        {
            foreach (var deadline in _pending.Values)
            {
                deadline.Dispose();
            }

            _pending.Clear();
        }

        _reject.Dispose();
        _hold?.Dispose();
        _release?.Dispose();
        _scrap?.Dispose();
    }

    private static int Required(int? pin) => pin ?? throw new InvalidOperationException("LineIo pins are checked at start; a required pin is missing");

    private void OnPartPresent()
    {
        long part;
        lock (_lock)
        {
            part = ++_nextPart;
            _pending[part] = _time.CreateTimer(_ => Expired(part), null, _options.VerdictDeadline, Timeout.InfiniteTimeSpan);
        }

        LogPartPresent(_logger, part);
        _scoring.ScoreNextFrame(part);
    }

    private void Expired(long part)
    {
        lock (_lock)
        {
            if (!_pending.Remove(part, out var deadline))
            {
                return;
            }

            deadline.Dispose();
            TimedOut++;
            LogTimedOut(_logger, part, _options.VerdictDeadline.TotalMilliseconds, _options.FailSafe);
            Route(part, LineDecision.Error);
        }
    }

    private void Route(long part, LineDecision decision)
    {
        if (decision == LineDecision.AutoPass)
        {
            Passed++;
            return;
        }

        if (decision == LineDecision.AutoReject || _options.FailSafe == FailSafeRoute.Reject)
        {
            _reject.Pulse();
            Rejected++;
            return;
        }

        _hold!.Pulse();
        _held.Add(part);
        Held++;
        LogHeld(_logger, part, decision);
        UpdateLamp();
    }

    private void UpdateLamp()
    {
        if (_options.LampPin is { } lamp)
        {
            _gpio.Write(lamp, _held.Count > 0 ? PinValue.High : PinValue.Low);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "part {Part} present; scoring the next frame")]
    private static partial void LogPartPresent(ILogger logger, long part);

    [LoggerMessage(Level = LogLevel.Warning, Message = "part {Part}: no decision within {DeadlineMs} ms; sent the fail-safe way ({Route})")]
    private static partial void LogTimedOut(ILogger logger, long part, double deadlineMs, FailSafeRoute route);

    [LoggerMessage(Level = LogLevel.Information, Message = "part {Part} ({Decision}) is in the hold lane, waiting for a person")]
    private static partial void LogHeld(ILogger logger, long part, LineDecision decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "decision {Decision} for part {Part} came too late or for an unknown part; the part already went the fail-safe way")]
    private static partial void LogLate(ILogger logger, long part, LineDecision decision);

    [LoggerMessage(Level = LogLevel.Information, Message = "held part {Part}: {Verdict}")]
    private static partial void LogResolved(ILogger logger, long part, HeldVerdict verdict);
}
