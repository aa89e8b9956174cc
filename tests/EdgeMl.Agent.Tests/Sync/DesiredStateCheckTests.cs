using System.Security.Cryptography;
using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Signing;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Tests.Sync;

public sealed class DesiredStateCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();
    private readonly FleetKey _fleet;
    private readonly DeviceIdentity _device;
    private readonly DesiredStateCheck _check;

    public DesiredStateCheckTests()
    {
        _fleet = FleetKey.LoadOrCreate(_temp.File("fleet.key"));
        _device = new DeviceIdentity("dev-1", "secret", Convert.ToBase64String(_fleet.PublicKey), _fleet.KeyId, "http://fleet");
        _check = NewCheck();
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
    public void Refuses_a_state_bound_to_another_device_and_replayed_to_this_one()
    {
        var other = State(9);
        other.DeviceId = "dev-2";
        var batch = SignBatch([State(1), other]);

        Assert.Null(_check.Accept(batch[1], _device, out var refusal));
        Assert.Equal("it is for device dev-2", refusal);
        Assert.Equal(0ul, _check.Revision);
        Assert.NotNull(_check.Accept(batch[0], _device, out _));
    }

    [Fact]
    public void Refuses_an_inflated_revision_bound_by_someone_holding_the_device_secret_so_real_states_still_pass()
    {
        // The secret authenticates the device's stream; an interceptor holding it can rebind signed content but cannot sign.
        var signed = Sign(State(1));
        var binding = DesiredStateBinding.Parser.ParseFrom(signed.Binding);
        signed.Binding = StateBinding.Bind(_device.DeviceId, 1000, binding.PayloadSha256);

        Assert.Null(_check.Accept(signed, _device, out var refusal));
        Assert.Equal("its binding is not signed by the fleet", refusal);
        Assert.Equal(0ul, _check.Revision);
        Assert.NotNull(_check.Accept(Sign(State(2)), _device, out _));
    }

    [Fact]
    public void Refuses_a_binding_moved_onto_other_signed_content()
    {
        var rollback = State(2);
        rollback.Rollback = true;
        var signed = Sign(rollback);
        var other = Sign(State(2));
        signed.Binding = other.Binding;
        signed.BatchSignature = other.BatchSignature;

        Assert.Null(_check.Accept(signed, _device, out var refusal));
        Assert.Equal("its binding is for other content", refusal);
    }

    [Fact]
    public void Follows_a_signing_key_the_root_endorses_and_still_trusts_it_after_a_restart()
    {
        using var signing = FleetKey.LoadOrCreate(_temp.File("signing-1.key"));
        var endorsement = SigningKeyEndorsement.Endorse(_fleet, signing.PublicKey, 1);

        var followed = _check.Accept(Sign(State(1), signing, endorsement), _device, out var refusal);
        var afterRestart = NewCheck().Accept(Sign(State(2), signing), _device, out var restartRefusal);

        Assert.Null(refusal);
        Assert.NotNull(followed);
        Assert.Null(restartRefusal);
        Assert.NotNull(afterRestart);
    }

    [Fact]
    public void Refuses_a_state_signed_by_a_revoked_signing_key_after_rotation()
    {
        using var old = FleetKey.LoadOrCreate(_temp.File("signing-1.key"));
        using var rotated = FleetKey.LoadOrCreate(_temp.File("signing-2.key"));
        var oldEndorsement = SigningKeyEndorsement.Endorse(_fleet, old.PublicKey, 1);
        Assert.NotNull(_check.Accept(Sign(State(1), old, oldEndorsement), _device, out _));
        Assert.NotNull(_check.Accept(Sign(State(2), rotated, SigningKeyEndorsement.Endorse(_fleet, rotated.PublicKey, 2)), _device, out _));

        Assert.Null(_check.Accept(Sign(State(3), old, oldEndorsement), _device, out var withEndorsement));
        Assert.Null(_check.Accept(Sign(State(3), old), _device, out var bare));
        Assert.Null(NewCheck().Accept(Sign(State(3), old, oldEndorsement), _device, out var afterRestart));
        Assert.Equal($"its signing key {old.KeyId} (generation 1) is revoked: this device trusts generation 2", withEndorsement);
        Assert.Equal("its signature is not the fleet's", bare);
        Assert.Equal(withEndorsement, afterRestart);
    }

    [Fact]
    public void Refuses_a_signing_key_the_root_did_not_endorse()
    {
        using var stranger = FleetKey.LoadOrCreate(_temp.File("stranger.key"));
        using var signing = FleetKey.LoadOrCreate(_temp.File("signing.key"));

        Assert.Null(_check.Accept(Sign(State(1), signing, SigningKeyEndorsement.Endorse(stranger, signing.PublicKey, 5)), _device, out var refusal));
        Assert.Null(_check.Accept(Sign(State(1), signing), _device, out _));
        Assert.Equal($"its signing key {signing.KeyId} is not endorsed by the fleet's root key {_fleet.KeyId}", refusal);
    }

    [Fact]
    public void Refuses_a_state_older_than_the_revision_accepted_before_a_restart()
    {
        AcceptedRevision.Save(_temp.Path, "dev-1", 7);
        var restarted = NewCheck(AcceptedRevision.Load(_temp.Path, "dev-1"));

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

    /// <summary>As a stream sends a state alone: a batch of one.</summary>
    private SignedDesiredState Sign(DesiredState state, FleetKey? key = null, SigningKeyStatement? endorsement = null) => SignBatch([state], key, endorsement)[0];

    /// <summary>
    /// As the server publishes states: each content signed without device and revision, the bindings to them the leaves of one
    /// tree whose root the same key signs.
    /// </summary>
    private SignedDesiredState[] SignBatch(IReadOnlyList<DesiredState> states, FleetKey? key = null, SigningKeyStatement? endorsement = null)
    {
        key ??= _fleet;
        var payloads = states.Select(state =>
        {
            var content = state.Clone();
            content.DeviceId = "";
            content.Revision = 0;
            return content.ToByteArray();
        }).ToList();
        var bindings = states.Select((s, i) => StateBinding.Bind(s.DeviceId, s.Revision, ByteString.CopyFrom(SHA256.HashData(payloads[i])))).ToList();
        var batch = new StateBatch(bindings);
        var rootSignature = ByteString.CopyFrom(key.Sign(StateBinding.StatementOf(batch.Root)));
        return [.. payloads.Select((payload, i) => new SignedDesiredState
        {
            Payload = ByteString.CopyFrom(payload),
            Signature = ByteString.CopyFrom(key.Sign(payload)),
            SigningKey = endorsement,
            Binding = bindings[i],
            BatchIndex = (ulong)i,
            BatchSize = (ulong)bindings.Count,
            BatchPath = { batch.PathOf(i) },
            BatchSignature = rootSignature,
        })];
    }

    /// <summary>A check as the agent builds it at start, reading what the device trusts from its data directory.</summary>
    private DesiredStateCheck NewCheck(ulong acceptedRevision = 0) =>
        new(new FixedTime(Now), new FleetTrust(Options.Create(new AgentOptions { DataDirectory = _temp.File("data") })), acceptedRevision);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
