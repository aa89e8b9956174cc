using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// The fleet's database: a SQLite file on a single server, PostgreSQL when several replicas share
/// the state. Stores run the same SQL on both and only ask <see cref="IsPostgres"/> where the two differ.
/// </summary>
internal sealed class FleetDatabase : IAsyncDisposable
{
    // Writers queue for the write lock instead of failing with "database is locked".
    private const string SqliteSessionSettings = "PRAGMA busy_timeout = 5000;";

    // The server probes an idle session after 2 s, every second, and drops it after 3 silent probes.
    private const string SessionKeepalive = "-c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3";

    private readonly NpgsqlDataSource? _postgres;
    private readonly NpgsqlDataSource? _sessions;
    private readonly string? _sqlite;

    private FleetDatabase(NpgsqlDataSource? postgres, NpgsqlDataSource? sessions, string? sqlite)
    {
        _postgres = postgres;
        _sessions = sessions;
        _sqlite = sqlite;
    }

    public bool IsPostgres => _postgres is not null;

    /// <summary>Opens (and creates, with its folder) a SQLite database file in WAL mode with foreign keys on.</summary>
    public static FleetDatabase Sqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
        }.ToString();

        // WAL is a property of the file: set once, it lets readers run beside the one writer.
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand(SqliteSessionSettings + "PRAGMA journal_mode = WAL;");
        command.ExecuteNonQuery();
        return new FleetDatabase(null, null, connectionString);
    }

    /// <summary>Uses a PostgreSQL database, e.g. <c>Host=db;Database=fleet;Username=fleet;Password=...</c>.</summary>
    public static FleetDatabase Postgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        // Session connections are never pooled, so what they hold ends with them; the keepalive lets the server
        // notice a replica that vanished without closing its socket (power cut, cable) within seconds, not hours.
        var sessions = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 2 };
        sessions.Options = $"{sessions.Options} {SessionKeepalive}".Trim();
        return new FleetDatabase(NpgsqlDataSource.Create(connectionString), NpgsqlDataSource.Create(sessions), null);
    }

    /// <summary>
    /// A PostgreSQL connection of its own, outside the pool, for state that lives as long as the connection
    /// (an advisory lock, LISTEN): closing it, or the process dying, ends that state.
    /// </summary>
    public async ValueTask<NpgsqlConnection> OpenSessionAsync(CancellationToken cancellationToken) =>
        _sessions is null
            ? throw new InvalidOperationException("Session connections exist on PostgreSQL only; on SQLite the single server needs none.")
            : await _sessions.OpenConnectionAsync(cancellationToken);

    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.CreateCommand(SqliteSessionSettings).ExecuteAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Brings the schema up to date; safe to run on every start and from several replicas at once.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(TimeProvider.System, cancellationToken);

    /// <inheritdoc cref="MigrateAsync(CancellationToken)"/>
    public Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken) =>
        SchemaMigrator.ApplyAsync(this, time, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it; an exception rolls it back.
    /// On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE), so a writer waits
    /// for its turn up front rather than failing when it upgrades from reading to writing.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it, as above, for work that returns nothing.</summary>
    public Task InTransactionAsync(Func<DbTransaction, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InTransactionAsync(
            async (_, transaction) =>
            {
                await work(transaction);
                return true;
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
            await _sessions!.DisposeAsync();
            return;
        }

        // Pooled SQLite connections keep the file open (and its -wal file around) until cleared.
        using var pooled = new SqliteConnection(_sqlite);
        SqliteConnection.ClearPool(pooled);
    }
}
