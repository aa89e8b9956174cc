using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>The server's registry and rollout engine over a test database, without the host: a temporary data folder with its own fleet key.</summary>
internal sealed class FleetParts : IDisposable
{
    private readonly FleetStores _stores;
    private readonly string _data = Directory.CreateTempSubdirectory("edgeml-parts-").FullName;

    /// <param name="time">The engine's clock (bake, probation and silence count on it); the system's by default.</param>
    public FleetParts(FleetStores stores, TimeProvider? time = null)
    {
        _stores = stores;
        Keys = FleetKeys.Load(_data);
        Artifacts = new ArtifactStore(_data);
        Registry = NewRegistry();
        var clock = time ?? TimeProvider.System;
        Signer = new DesiredStateSigner(Registry, stores, Keys, Options.Create(new SyncOptions()), clock);
        Hub = new DesiredStateHub(Signer);
        Judge = new RolloutJudge(stores, clock);
        Lock = new RolloutLock(stores.Database);
        Engine = new RolloutEngine(
            stores, Registry, Hub, Presence, Judge, new DesiredStateNotices(stores.Database), Lock, clock, Options.Create(new SyncOptions { ReconnectGrace = TimeSpan.Zero }), NullLogger<RolloutEngine>.Instance);
    }

    public FleetKeys Keys { get; }

    public FleetKey Key => Keys.Signer;

    public ArtifactStore Artifacts { get; }

    public DesiredStateSigner Signer { get; }

    public DesiredStateHub Hub { get; }

    /// <summary>What the replica's ingestion knows of devices' MQTT status; the engine counts a device offline by it.</summary>
    public DevicePresence Presence { get; } = new();

    public ModelRegistry Registry { get; }

    public RolloutJudge Judge { get; }

    public RolloutLock Lock { get; }

    public RolloutEngine Engine { get; }

    /// <summary>Another registry on the same database, key and artifacts, as a second server replica has.</summary>
    public ModelRegistry NewRegistry() => new(_stores, Key, Artifacts, TimeProvider.System);

    public void Dispose()
    {
        Lock.Dispose();
        Keys.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
