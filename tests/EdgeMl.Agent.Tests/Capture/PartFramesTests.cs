using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Agent.Tests.Capture;

public sealed class PartFramesTests
{
    private static readonly string[] Labels = ["ok", "cracked"];
    private readonly FakeTimeProvider _time = new();
    private readonly PartFrames _parts;

    public PartFramesTests() => _parts = new PartFrames(_time, "ok", id => id == "crack-detector:v2" ? Labels : null);

    [Fact]
    public void Gives_a_part_the_first_frame_taken_after_its_trigger()
    {
        var before = Frame(new Verdict(1, 0.99f, Decision.Auto));
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _parts.ScoreNextFrame(7);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        var after = Frame(new Verdict(1, 0.99f, Decision.Auto));

        Assert.Null(_parts.Match(before));
        Assert.Equal(new PartDecision(7, LineDecision.AutoReject), _parts.Match(after));
        Assert.Null(_parts.Match(Frame(new Verdict(0, 0.99f, Decision.Auto))));
    }

    [Theory]
    [InlineData(0, Decision.Auto, "crack-detector:v2", LineDecision.AutoPass)]
    [InlineData(1, Decision.Auto, "crack-detector:v2", LineDecision.AutoReject)]
    [InlineData(0, Decision.Escalate, "crack-detector:v2", LineDecision.Escalate)]
    [InlineData(0, Decision.Error, "crack-detector:v2", LineDecision.Error)]
    [InlineData(0, Decision.Auto, "crack-detector:v1", LineDecision.Error)]
    public void Turns_the_frame_verdict_into_the_part_decision(int label, Decision decision, string model, LineDecision expected)
    {
        _parts.ScoreNextFrame(1);
        var frame = Frame(new Verdict(label, 0.99f, decision), model);

        Assert.Equal(new PartDecision(1, expected), _parts.Match(frame));
    }

    private FrameSlot Frame(Verdict verdict, string model = "crack-detector:v2") =>
        new() { Verdict = verdict, ModelId = model, StartTimestamp = _time.GetTimestamp() };
}
