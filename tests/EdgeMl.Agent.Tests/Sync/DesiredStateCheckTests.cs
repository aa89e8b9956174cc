using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;

namespace EdgeMl.Agent.Tests.Sync;

public sealed class DesiredStateCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();
    private readonly FleetKey _fleet;
    private readonly DeviceIdentity _device;
    private readonly DesiredStateCheck _check = new(new FixedTime(Now));

    public DesiredStateCheckTests()
    {
        _fleet = FleetKey.LoadOrCreate(_temp.File("fleet.key"));
        _device = new DeviceIdentity("dev-1", "secret", Convert.ToBase64String(_fleet.PublicKey), _fleet.KeyId, "http://fleet");
    }

    [Fact]
    public void Accepts_a_fresh_state_signed_by_the_fleet_for_this_device()
    {
        var state = _check.Accept(Sign(State(revision: 4)), _device, out var refusal);

        Assert.Null(refusal);
        Assert.Equal(4ul, state!.Revision);
        Assert.Equal(4ul, _check.Revision);
    }

    [Fact]
    public void Refuses_a_state_signed_by_another_key()
    {
        using var stranger = FleetKey.LoadOrCreate(_temp.File("stranger.key"));

        Assert.Null(_check.Accept(Sign(State(1), stranger), _device, out var refusal));
        Assert.Equal("its signature is not the fleet's", refusal);
    }

    [Fact]
    public void Refuses_a_state_whose_payload_was_changed_after_signing()
    {
        var signed = Sign(State(1));
        var tampered = State(1);
        tampered.Rollback = true;
        signed.Payload = tampered.ToByteString();

        Assert.Null(_check.Accept(signed, _device, out var refusal));
        Assert.Equal("its signature is not the fleet's", refusal);
    }

    [Fact]
    public void Refuses_an_expired_state_so_a_frozen_stream_cannot_hold_the_device()
    {
        var state = State(1);
        state.ExpiresAtUnixMs = Now.AddSeconds(-1).ToUnixTimeMilliseconds();

        Assert.Null(_check.Accept(Sign(state), _device, out var refusal));
        Assert.StartsWith("it expired at 2026-11-25T07:59:59", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_another_devices_state_and_a_replayed_older_revision()
    {
        var other = State(1);
        other.DeviceId = "dev-2";
        _check.Accept(Sign(State(7)), _device, out _);

        Assert.Null(_check.Accept(Sign(other), _device, out var wrongDevice));
        Assert.Null(_check.Accept(Sign(State(6)), _device, out var older));
        Assert.Equal("it is for device dev-2", wrongDevice);
        Assert.Equal("revision 6 is older than 7", older);
        Assert.NotNull(_check.Accept(Sign(State(7)), _device, out _));
    }

    [Fact]
    public void Refuses_a_state_older_than_the_revision_accepted_before_a_restart()
    {
        AcceptedRevision.Save(_temp.Path, "dev-1", 7);
        var restarted = new DesiredStateCheck(new FixedTime(Now), AcceptedRevision.Load(_temp.Path, "dev-1"));

        Assert.Null(restarted.Accept(Sign(State(6)), _device, out var refusal));
        Assert.Equal("revision 6 is older than 7", refusal);
        Assert.NotNull(restarted.Accept(Sign(State(7)), _device, out _));
    }

    [Fact]
    public void A_device_enrolled_again_starts_from_revision_zero()
    {
        AcceptedRevision.Save(_temp.Path, "dev-old", 7);

        Assert.Equal(0ul, AcceptedRevision.Load(_temp.Path, "dev-1"));
    }

    public void Dispose()
    {
        _fleet.Dispose();
        _temp.Dispose();
    }

    private static DesiredState State(ulong revision) => new()
    {
        DeviceId = "dev-1",
        Revision = revision,
        Active = new ModelRef { Name = "crack-detector", Version = "v2", Sequence = 2 },
        IssuedAtUnixMs = Now.ToUnixTimeMilliseconds(),
        ExpiresAtUnixMs = Now.AddHours(1).ToUnixTimeMilliseconds(),
    };

    private SignedDesiredState Sign(DesiredState state, FleetKey? key = null)
    {
        var payload = state.ToByteArray();
        return new SignedDesiredState { Payload = ByteString.CopyFrom(payload), Signature = ByteString.CopyFrom((key ?? _fleet).Sign(payload)) };
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
