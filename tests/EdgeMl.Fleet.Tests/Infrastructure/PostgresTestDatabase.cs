using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>A database on the shared <see cref="PostgresServer"/>; it goes away with the server's data folder.</summary>
internal sealed class PostgresTestDatabase(string connectionString) : TestDatabase
{
    public string ConnectionString => connectionString;

    public override FleetDatabase Open() => FleetDatabase.Postgres(connectionString);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
