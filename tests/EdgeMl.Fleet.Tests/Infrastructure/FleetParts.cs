using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Rollouts;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>The server's registry and rollout engine over a test database, without the host: a temporary data folder with its own fleet key.</summary>
internal sealed class FleetParts : IDisposable
{
    private readonly FleetStores _stores;
    private readonly string _data = Directory.CreateTempSubdirectory("edgeml-parts-").FullName;

    public FleetParts(FleetStores stores)
    {
        _stores = stores;
        Keys = FleetKeys.Load(_data);
        Artifacts = new ArtifactStore(_data);
        Registry = NewRegistry();
        Lock = new RolloutLock(stores.Database);
        Engine = new RolloutEngine(stores, Registry, Hub, new DesiredStateNotices(stores.Database), Lock, TimeProvider.System, NullLogger<RolloutEngine>.Instance);
    }

    public FleetKeys Keys { get; }

    public FleetKey Key => Keys.Signer;

    public ArtifactStore Artifacts { get; }

    public DesiredStateHub Hub { get; } = new();

    public ModelRegistry Registry { get; }

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
