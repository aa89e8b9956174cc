using System.Security.Cryptography;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Fleet.Tests.Storage;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Sync;

/// <summary>The signer on SQLite alone: what it reads from the database does not depend on the database's kind.</summary>
public sealed class DesiredStateSignerTests : StoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Now);

    [Fact]
    public async Task Devices_given_the_same_content_get_the_same_signed_payload_each_bound_to_its_own_device_and_revision()
    {
        using var fleet = new FleetParts(Stores);
        var signer = NewSigner(fleet);
        var first = await signer.SignAsync(Record("dev-a", 3), Timeout);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var second = await signer.SignAsync(Record("dev-b", 5), Timeout);

        Assert.Equal(first.Payload, second.Payload);
        Assert.Equal(first.Signature, second.Signature);
        Assert.True(FleetKey.Verify(fleet.Key.PublicKey, second.Payload.Span, second.Signature.Span));
        var a = StateBinding.Open(first, "dev-a", fleet.Key.PublicKey, out _);
        var b = StateBinding.Open(second, "dev-b", fleet.Key.PublicKey, out _);
        Assert.Equal(("dev-a", 3UL), (a!.DeviceId, a.Revision));
        Assert.Equal(("dev-b", 5UL), (b!.DeviceId, b.Revision));
        Assert.Null(StateBinding.Open(second, "dev-a", fleet.Key.PublicKey, out var refusal));
        Assert.Equal("it is for device dev-b", refusal);
    }

    [Fact]
    public async Task Signs_one_root_for_a_batch_and_each_device_gets_its_own_leaf_and_proof()
    {
        using var fleet = new FleetParts(Stores);
        var signer = NewSigner(fleet);
        var records = Enumerable.Range(0, 5).Select(i => Record($"dev-{i}", i + 1)).ToList();

        var signed = await signer.SignAsync(records, Timeout);

        Assert.Single(signed.Select(s => s.BatchSignature).Distinct());
        Assert.Equal([0UL, 1, 2, 3, 4], signed.Select(s => s.BatchIndex));
        Assert.All(signed, s => Assert.Equal(5UL, s.BatchSize));
        Assert.Equal(
            records.Select(r => (r.DeviceId, (ulong)r.Revision)),
            signed.Select((s, i) => StateBinding.Open(s, records[i].DeviceId, fleet.Key.PublicKey, out _)).Select(b => (b!.DeviceId, b.Revision)));
    }

    [Fact]
    public async Task A_state_signed_alone_is_a_one_leaf_batch_with_an_empty_proof()
    {
        using var fleet = new FleetParts(Stores);

        var signed = await NewSigner(fleet).SignAsync(Record("dev-a", 2), Timeout);

        Assert.Equal((0UL, 1UL, 0), (signed.BatchIndex, signed.BatchSize, signed.BatchPath.Count));
        Assert.True(FleetKey.Verify(fleet.Key.PublicKey, StateBinding.StatementOf(SHA256.HashData([0x00, .. signed.Binding.Span])), signed.BatchSignature.Span));
        Assert.Equal(2UL, StateBinding.Open(signed, "dev-a", fleet.Key.PublicKey, out _)!.Revision);
    }

    [Fact]
    public async Task Signs_the_content_again_once_its_copy_is_a_twelfth_of_the_lifetime_old()
    {
        using var fleet = new FleetParts(Stores);
        var signer = NewSigner(fleet);
        var before = DesiredState.Parser.ParseFrom((await signer.SignAsync(Record("dev-a", 1), Timeout)).Payload);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var after = DesiredState.Parser.ParseFrom((await signer.SignAsync(Record("dev-a", 1), Timeout)).Payload);

        Assert.Equal(Now.AddHours(1).ToUnixTimeMilliseconds(), before.ExpiresAtUnixMs);
        Assert.Equal(Now.AddMinutes(5).AddHours(1).ToUnixTimeMilliseconds(), after.ExpiresAtUnixMs);
    }

    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();

    private DesiredStateSigner NewSigner(FleetParts fleet) =>
        new(fleet.Registry, Stores, fleet.Keys, Options.Create(new SyncOptions { StateLifetime = TimeSpan.FromHours(1) }), _clock);

    // No model: the content resolves without the registry, and a rollback is content many devices share.
    private static DesiredStateRecord Record(string deviceId, long revision) => new(deviceId, revision, null, null, "r-1", true, false, Now);
}
