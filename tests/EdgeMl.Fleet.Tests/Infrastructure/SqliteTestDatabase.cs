using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>A SQLite file in its own temporary folder.</summary>
internal sealed class SqliteTestDatabase : TestDatabase
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edgeml-sqlite-");

    public string FilePath => Path.Combine(_folder.FullName, "fleet.db");

    public static Task<TestDatabase> CreateAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());

    public override FleetDatabase Open() => FleetDatabase.Sqlite(FilePath);

    public override ValueTask DisposeAsync()
    {
        _folder.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
