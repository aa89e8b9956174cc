using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Storage;

/// <summary>
/// Base of the storage tests: each test gets a fresh, migrated database. Every test class has a
/// SQLite and a PostgreSQL subclass, so the same tests hold on both.
/// </summary>
public abstract class StoreTests : IAsyncLifetime
{
    private TestDatabase? _database;
    private FleetStores? _stores;

    private protected FleetStores Stores => _stores ?? throw new InvalidOperationException("The test database is not open yet.");

    /// <summary>Cancels a test that hangs instead of letting it block the run (the source's timer ends itself when it fires).</summary>
    private protected CancellationToken Timeout { get; } = new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    private protected static DateTimeOffset T0 { get; } = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _stores = await FleetStores.OpenAsync(_database.Open(), Timeout);
    }

    public async Task DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.Database.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>A new empty database of this class's kind.</summary>
    private protected abstract Task<TestDatabase> CreateDatabaseAsync();

    /// <summary>Runs <paramref name="count"/> calls at once on the thread pool (SQLite's async calls run synchronously).</summary>
    private protected static Task<T[]> RunConcurrentlyAsync<T>(int count, Func<int, Task<T>> call) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => call(i))));
}
