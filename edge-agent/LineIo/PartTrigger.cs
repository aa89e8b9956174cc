using System.Device.Gpio;

namespace EdgeMl.Agent.LineIo;

/// <summary>
/// The part-present sensor. A part counts once the input has held its active level for the debounce time,
/// and the next part only after the input has settled back, so contact bounce on either edge is one part.
/// </summary>
internal sealed class PartTrigger : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _active;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly Action _onPart;
    private readonly Lock _lock = new();
    private ITimer? _settle;
    private long _change;
    private bool _armed;

    public PartTrigger(GpioController gpio, int pin, TriggerEdge edge, TimeSpan debounce, TimeProvider time, Action onPart)
    {
        _gpio = gpio;
        _pin = pin;
        _active = edge == TriggerEdge.Rising ? PinValue.High : PinValue.Low;
        _debounce = debounce;
        _time = time;
        _onPart = onPart;
        gpio.OpenPin(pin, PinMode.Input);

        // A part already in front of the sensor at start is not announced: its frame is long gone.
        _armed = gpio.Read(pin) != _active;
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnChanged);
    }

    public void Dispose()
    {
        _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnChanged);
        lock (_lock)
        {
            _settle?.Dispose();
            _settle = null;
        }
    }

    private void OnChanged(object sender, PinValueChangedEventArgs e)
    {
        lock (_lock)
        {
            var change = ++_change;
            _settle?.Dispose();
            _settle = _time.CreateTimer(_ => Settled(change), null, _debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Settled(long change)
    {
        bool part;
        lock (_lock)
        {
            if (change != _change)
            {
                return;
            }

            var level = _gpio.Read(_pin);
            part = _armed && level == _active;
            _armed = level != _active;
        }

        if (part)
        {
            _onPart();
        }
    }
}
