using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>An empty database for one test, on SQLite or PostgreSQL; deleted when disposed.</summary>
internal abstract class TestDatabase : IAsyncDisposable
{
    /// <summary>A new <see cref="FleetDatabase"/> on this database, as another server process would open it.</summary>
    public abstract FleetDatabase Open();

    public abstract ValueTask DisposeAsync();
}
