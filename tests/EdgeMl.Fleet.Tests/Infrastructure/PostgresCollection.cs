namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>All PostgreSQL tests share one server: starting one costs seconds, a database per test costs little.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
