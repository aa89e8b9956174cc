using System.Device.Gpio;

namespace EdgeMl.Agent.LineIo;

/// <summary>An output pin that goes high for a fixed time to move one part (a gate, a pusher).</summary>
internal sealed class PulseOutput : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly TimeSpan _width;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private ITimer? _off;
    private long _pulse;

    public PulseOutput(GpioController gpio, int pin, TimeSpan width, TimeProvider time)
    {
        _gpio = gpio;
        _pin = pin;
        _width = width;
        _time = time;
        gpio.OpenPin(pin, PinMode.Output, PinValue.Low);
    }

    public void Pulse()
    {
        lock (_lock)
        {
            // A second part inside one pulse extends it rather than cutting the gate short under the first.
            var pulse = ++_pulse;
            _off?.Dispose();
            _gpio.Write(_pin, PinValue.High);
            _off = _time.CreateTimer(_ => End(pulse), null, _width, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _off?.Dispose();
            _off = null;
        }
    }

    private void End(long pulse)
    {
        lock (_lock)
        {
            // A timer disposed while its callback was already queued must not end the pulse that replaced it.
            if (pulse == _pulse)
            {
                _gpio.Write(_pin, PinValue.Low);
            }
        }
    }
}
