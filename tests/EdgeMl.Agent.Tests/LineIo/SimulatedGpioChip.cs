using System.Device.Gpio;

namespace EdgeMl.Agent.Tests.LineIo;

/// <summary>
/// A GPIO chip in memory behind the library's own driver seam: tests drive the inputs and read every
/// level the outputs took, with the (fake) time it happened.
/// </summary>
internal sealed class SimulatedGpioChip(TimeProvider time) : GpioDriver
{
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly List<(int Pin, PinEventTypes Events, PinChangeEventHandler Callback)> _callbacks = [];
    private readonly List<(int Pin, PinValue Level, TimeSpan At)> _writes = [];

    // The router writes from timer and pipeline threads while a test reads.
    private readonly Lock _lock = new();

    public IReadOnlyList<(int Pin, PinValue Level, TimeSpan At)> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    public DateTimeOffset Start { get; } = time.GetUtcNow();

    public PinValue Level(int pin)
    {
        lock (_lock)
        {
            return _levels[pin];
        }
    }

    /// <summary>The times an output went high.</summary>
    public IEnumerable<TimeSpan> Pulses(int pin) => Writes.Where(w => w.Pin == pin && w.Level == PinValue.High).Select(w => w.At);

    /// <summary>The level an input has before the agent opens it (a sensor already pulled high).</summary>
    public void Wire(int pin, PinValue level)
    {
        lock (_lock)
        {
            _levels[pin] = level;
        }
    }

    /// <summary>Sets an input as the wiring outside would, raising the edge it makes.</summary>
    public void Drive(int pin, PinValue level)
    {
        List<PinChangeEventHandler> callbacks;
        var edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        lock (_lock)
        {
            if (_levels[pin] == level)
            {
                return;
            }

            _levels[pin] = level;
            callbacks = _callbacks.Where(c => c.Pin == pin && c.Events.HasFlag(edge)).Select(c => c.Callback).ToList();
        }

        foreach (var callback in callbacks)
        {
            callback(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    protected override int PinCount => 64;

    protected override void OpenPin(int pinNumber)
    {
        lock (_lock)
        {
            _levels.TryAdd(pinNumber, PinValue.Low);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_lock)
        {
            _levels.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_lock)
        {
            _modes[pinNumber] = mode;
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_lock)
        {
            return _modes[pinNumber];
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Level(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            _levels[pinNumber] = value;
            _writes.Add((pinNumber, value, time.GetUtcNow() - Start));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated chip reports edges through callbacks only");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            _callbacks.Add((pinNumber, eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            _callbacks.RemoveAll(c => c.Pin == pinNumber && c.Callback == callback);
        }
    }
}
