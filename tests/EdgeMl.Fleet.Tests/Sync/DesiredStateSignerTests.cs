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
        var first = await signer.SignAsync(Record("dev-a", 3), StateBinding.KeyOf("secret-a"), Timeout);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var second = await signer.SignAsync(Record("dev-b", 5), StateBinding.KeyOf("secret-b"), Timeout);

        Assert.Equal(first.Payload, second.Payload);
        Assert.Equal(first.Signature, second.Signature);
        Assert.True(FleetKey.Verify(fleet.Key.PublicKey, second.Payload.Span, second.Signature.Span));
        var a = StateBinding.Open(StateBinding.KeyOf("secret-a"), first, out _);
        var b = StateBinding.Open(StateBinding.KeyOf("secret-b"), second, out _);
        Assert.Equal(("dev-a", 3UL), (a!.DeviceId, a.Revision));
        Assert.Equal(("dev-b", 5UL), (b!.DeviceId, b.Revision));
        Assert.Null(StateBinding.Open(StateBinding.KeyOf("secret-a"), second, out var refusal));
        Assert.Equal("its binding was not made for this device", refusal);
    }

    [Fact]
    public async Task Signs_the_content_again_once_its_copy_is_a_twelfth_of_the_lifetime_old()
    {
        using var fleet = new FleetParts(Stores);
        var signer = NewSigner(fleet);
        var before = DesiredState.Parser.ParseFrom((await signer.SignAsync(Record("dev-a", 1), StateBinding.KeyOf("secret-a"), Timeout)).Payload);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var after = DesiredState.Parser.ParseFrom((await signer.SignAsync(Record("dev-a", 1), StateBinding.KeyOf("secret-a"), Timeout)).Payload);

        Assert.Equal(Now.AddHours(1).ToUnixTimeMilliseconds(), before.ExpiresAtUnixMs);
        Assert.Equal(Now.AddMinutes(5).AddHours(1).ToUnixTimeMilliseconds(), after.ExpiresAtUnixMs);
    }

    private protected override Task<TestDatabase> CreateDatabaseAsync() => SqliteTestDatabase.CreateAsync();

    private DesiredStateSigner NewSigner(FleetParts fleet) =>
        new(fleet.Registry, Stores, fleet.Keys, Options.Create(new SyncOptions { StateLifetime = TimeSpan.FromHours(1) }), _clock);

    // No model: the content resolves without the registry, and a rollback is content many devices share.
    private static DesiredStateRecord Record(string deviceId, long revision) => new(deviceId, revision, null, null, "r-1", true, false, Now);
}
