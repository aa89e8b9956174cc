using EdgeMl.Agent.Sync;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Security;

/// <summary>Key roles end to end: keys init and keys rotate on a fleet's data, and a real agent that follows without re-enrolling.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private const string V1 = "crack-detector:v1";
    private const string V2 = "crack-detector:v2";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-keys-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    private string ServerData => Path.Combine(_root, "server");

    private string RootKey => Path.Combine(_root, "offline", "root.key");

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(ServerData);
        await _fleet.PushAsync(RepoPaths.Package("v1"));
        await _fleet.PushAsync(RepoPaths.Package("v2"));
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Devices_follow_a_rotated_signing_key_without_reenrolment()
    {
        await using var agent = new TestAgent(_fleet.GrpcAddress, await _fleet.TokenAsync(), Path.Combine(_root, "agent"), "site=a");
        await agent.StartAsync();
        var enrolled = DeviceIdentity.Load(agent.DataDirectory)!;
        await RollOutAsync(V1);
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == V1, TimeSpan.FromSeconds(60), "the agent to score with v1");

        // Splitting the roles keeps the fleet key as the root the device pinned; rotating replaces only the signing key.
        await _fleet.StopAsync();
        var init = KeyCeremony.Init(ServerData, RootKey);
        await _fleet.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Trusted(agent)), s => s?.Generation == 1, TimeSpan.FromSeconds(30), "the agent to follow signing key generation 1");
        await _fleet.StopAsync();
        var rotated = KeyCeremony.Rotate(ServerData, RootKey);
        await _fleet.StartAsync();
        var trusted = await Eventually.HoldsAsync(() => Task.FromResult(Trusted(agent)), s => s?.Generation == 2, TimeSpan.FromSeconds(30), "the agent to follow signing key generation 2");
        // v2 was pushed and signed before the rotation: the server re-signed it, or the device would refuse it now.
        await RollOutAsync(V2);
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == V2, TimeSpan.FromSeconds(60), "the agent to score with v2 after the rotation");

        Assert.True(init.RootFromFleetKey);
        Assert.Equal(init.RootFingerprint, FleetKey.FingerprintOf(enrolled.PublicKeyBytes));
        Assert.Equal(init.SigningKeyId, rotated.RevokedKeyId);
        Assert.Equal(rotated.SigningKeyId, FleetKey.KeyIdOf(trusted!.PublicKey.Span));
        Assert.Equal(enrolled, DeviceIdentity.Load(agent.DataDirectory));
        Assert.Single(await _fleet.DevicesAsync());
        Assert.False(File.Exists(Path.Combine(FleetKeys.Folder(ServerData), FleetKeys.LegacyKeyFile)));
    }

    [Fact]
    public async Task New_tokens_pin_the_root_and_devices_enrolled_after_init_trust_its_signing_key()
    {
        await _fleet.StopAsync();
        var init = KeyCeremony.Init(ServerData, RootKey);
        await _fleet.StartAsync();
        var token = await _fleet.TokenAsync();
        await using var agent = new TestAgent(_fleet.GrpcAddress, token, Path.Combine(_root, "agent"), "site=a");
        await agent.StartAsync();
        await RollOutAsync(V1);
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == V1, TimeSpan.FromSeconds(60), "the agent to score with v1");

        Assert.EndsWith("." + init.RootFingerprint, token, StringComparison.Ordinal);
        Assert.Equal(init.SigningKeyId, FleetKey.KeyIdOf(Trusted(agent)!.PublicKey.Span));
    }

    [Fact]
    public void Init_keeps_the_root_key_out_of_the_data_directory_and_rotate_needs_the_fleets_root()
    {
        var data = Path.Combine(_root, "fresh");
        var inside = Assert.Throws<ArgumentException>(() => KeyCeremony.Init(data, Path.Combine(data, "root.key")));
        var init = KeyCeremony.Init(data, RootKey);
        var twice = Assert.Throws<ArgumentException>(() => KeyCeremony.Init(data, Path.Combine(_root, "other.key")));
        FleetKey.LoadOrCreate(Path.Combine(_root, "stranger.key")).Dispose();
        var stranger = Assert.Throws<ArgumentException>(() => KeyCeremony.Rotate(data, Path.Combine(_root, "stranger.key")));
        var rotated = KeyCeremony.Rotate(data, RootKey);

        Assert.False(init.RootFromFleetKey);
        Assert.Equal(1ul, init.Generation);
        Assert.Contains("the root key must stay offline", inside.Message, StringComparison.Ordinal);
        Assert.Contains("already has a signing key; use 'fleet-server keys rotate", twice.Message, StringComparison.Ordinal);
        Assert.Contains("is not this fleet's root key", stranger.Message, StringComparison.Ordinal);
        Assert.Equal(2ul, rotated.Generation);
        Assert.Equal(init.SigningKeyId, rotated.RevokedKeyId);
        Assert.False(File.Exists(Path.Combine(data, "root.key")));
        Assert.Equal(rotated.SigningKeyId, FleetKeys.Load(data).Signer.KeyId);
    }

    private static SigningKeyStatement? Trusted(TestAgent agent)
    {
        var path = Path.Combine(agent.DataDirectory, FleetTrust.FileName);
        return File.Exists(path) ? SigningKeyStatement.Parser.ParseFrom(File.ReadAllBytes(path)) : null;
    }

    private async Task RollOutAsync(string model)
    {
        var request = new StartRolloutRequest { Model = model, Mode = "canary" };
        request.Waves.Add("100%");
        var rollout = await _fleet.Admin.StartRolloutAsync(request);
        await _fleet.WaitForRolloutAsync(rollout.RolloutId, "completed");
    }
}
