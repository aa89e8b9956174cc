using System.Device.Gpio;
using EdgeMl.Agent.LineIo;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Agent.Tests.LineIo;

public sealed class PartRouterTests : IDisposable
{
    private const int Trigger = 17;
    private const int Reject = 22;
    private const int Hold = 23;
    private const int Release = 24;
    private const int Scrap = 25;
    private const int Lamp = 27;

    private readonly FakeTimeProvider _time = new();
    private readonly SimulatedGpioChip _chip;
    private readonly GpioController _gpio;
    private readonly RecordingScoreRequests _scoring = new();
    private PartRouter? _router;

    public PartRouterTests()
    {
        _chip = new SimulatedGpioChip(_time);
        _gpio = new GpioController(_chip);
    }

    private static LineIoOptions Options(FailSafeRoute failSafe = FailSafeRoute.Hold) => new()
    {
        Enabled = true,
        TriggerPin = Trigger,
        RejectPin = Reject,
        HoldPin = Hold,
        ReleasePin = Release,
        ScrapPin = Scrap,
        LampPin = Lamp,
        Debounce = TimeSpan.FromMilliseconds(10),
        VerdictDeadline = TimeSpan.FromMilliseconds(300),
        GatePulse = TimeSpan.FromMilliseconds(100),
        FailSafe = failSafe,
    };

    [Fact]
    public void Sets_the_reject_gate_within_the_deadline_when_the_decision_is_reject()
    {
        var router = Start();
        var part = Arrive();

        _time.Advance(TimeSpan.FromMilliseconds(40));
        router.Decide(new PartDecision(part, LineDecision.AutoReject));

        var gate = Assert.Single(_chip.Pulses(Reject));
        Assert.InRange(gate, TimeSpan.Zero, Options().VerdictDeadline);
        Assert.Equal(PinValue.High, _chip.Level(Reject));
        _time.Advance(Options().GatePulse);
        Assert.Equal(PinValue.Low, _chip.Level(Reject));
        Assert.Empty(_chip.Pulses(Hold));
        Assert.Equal(1, router.Rejected);
    }

    [Fact]
    public void Leaves_every_gate_alone_for_a_confident_pass()
    {
        var router = Start();
        var part = Arrive();

        router.Decide(new PartDecision(part, LineDecision.AutoPass));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain(_chip.Writes, w => w.Level == PinValue.High);
        Assert.Equal(1, router.Passed);
        Assert.Equal(0, router.TimedOut);
    }

    [Fact]
    public void Sends_a_part_without_a_decision_in_time_to_the_hold_lane_never_to_pass()
    {
        var router = Start();
        var part = Arrive();

        // Arrive() left one debounce time after the part was announced.
        _time.Advance(Options().VerdictDeadline - Options().Debounce - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_chip.Pulses(Hold));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Single(_chip.Pulses(Hold));
        Assert.Equal(PinValue.High, _chip.Level(Lamp));
        Assert.Equal([part], router.WaitingForPerson);
        Assert.Equal(1, router.TimedOut);

        // The model's late answer cannot pull the part back out of the hold lane.
        router.Decide(new PartDecision(part, LineDecision.AutoPass));
        Assert.Equal(0, router.Passed);
        Assert.Equal(1, router.LateDecisions);
        Assert.Equal([part], router.WaitingForPerson);
    }

    [Fact]
    public void Sends_a_late_part_to_the_reject_gate_when_configured_so()
    {
        var router = Start(Options(FailSafeRoute.Reject));
        Arrive();

        _time.Advance(Options().VerdictDeadline);

        Assert.Single(_chip.Pulses(Reject));
        Assert.Empty(router.WaitingForPerson);
        Assert.Equal(1, router.Rejected);
    }

    [Theory]
    [InlineData(LineDecision.Escalate)]
    [InlineData(LineDecision.Error)]
    public void Holds_an_unsure_part_until_a_person_releases_it(LineDecision decision)
    {
        var router = Start();
        var part = Arrive();
        router.Decide(new PartDecision(part, decision));
        Assert.Single(_chip.Pulses(Hold));
        Assert.Equal(PinValue.High, _chip.Level(Lamp));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(_chip.Pulses(Release));

        Assert.True(router.ResolveHeld(part, HeldVerdict.Release));
        Assert.Single(_chip.Pulses(Release));
        Assert.Empty(_chip.Pulses(Scrap));
        Assert.Equal(PinValue.Low, _chip.Level(Lamp));
        Assert.Empty(router.WaitingForPerson);
        Assert.False(router.ResolveHeld(part, HeldVerdict.Scrap));
    }

    [Fact]
    public void Scraps_a_held_part_and_keeps_the_lamp_lit_while_others_wait()
    {
        var router = Start();
        var first = Arrive();
        router.Decide(new PartDecision(first, LineDecision.Escalate));
        var second = Arrive();
        router.Decide(new PartDecision(second, LineDecision.Escalate));

        Assert.True(router.ResolveHeld(first, HeldVerdict.Scrap));

        Assert.Single(_chip.Pulses(Scrap));
        Assert.Equal([second], router.WaitingForPerson);
        Assert.Equal(PinValue.High, _chip.Level(Lamp));
    }

    [Fact]
    public void Counts_a_bouncing_trigger_as_one_part()
    {
        Start();
        foreach (var level in new[] { PinValue.High, PinValue.Low, PinValue.High, PinValue.Low, PinValue.High })
        {
            _chip.Drive(Trigger, level);
            _time.Advance(TimeSpan.FromMilliseconds(2));
        }

        _time.Advance(Options().Debounce);
        Assert.Equal([1L], _scoring.Parts);

        // The part leaves with bounce as well; a brief high in it is not a second part.
        foreach (var level in new[] { PinValue.Low, PinValue.High, PinValue.Low })
        {
            _chip.Drive(Trigger, level);
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }

        _time.Advance(Options().Debounce);
        Assert.Equal([1L], _scoring.Parts);

        Arrive();
        Assert.Equal([1L, 2L], _scoring.Parts);
    }

    [Fact]
    public void Ignores_a_glitch_shorter_than_the_debounce()
    {
        Start();
        _chip.Drive(Trigger, PinValue.High);
        _time.Advance(Options().Debounce - TimeSpan.FromMilliseconds(1));
        _chip.Drive(Trigger, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(_scoring.Parts);
    }

    [Fact]
    public void Follows_a_falling_edge_trigger()
    {
        var options = Options();
        options.TriggerEdge = TriggerEdge.Falling;
        _chip.Wire(Trigger, PinValue.High);
        Start(options);

        _chip.Drive(Trigger, PinValue.Low);
        _time.Advance(options.Debounce);

        Assert.Equal([1L], _scoring.Parts);
    }

    public void Dispose()
    {
        _router?.Dispose();
        _gpio.Dispose();
    }

    private PartRouter Start(LineIoOptions? options = null) =>
        _router = new PartRouter(_gpio, options ?? Options(), _scoring, _time, NullLogger<PartRouter>.Instance);

    /// <summary>A clean part-present pulse: the trigger goes high, holds past the debounce, and the part leaves.</summary>
    private long Arrive()
    {
        _chip.Drive(Trigger, PinValue.High);
        _time.Advance(Options().Debounce);
        var part = _scoring.Parts[^1];
        _chip.Drive(Trigger, PinValue.Low);
        _time.Advance(Options().Debounce);
        return part;
    }
}
