using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// Applies the embedded migrations in number order, each in its own transaction together with its
/// row in <c>schema_migrations</c>, so a migration is either fully applied and recorded or not at all.
/// </summary>
internal static partial class SchemaMigrator
{
    // Replicas starting together on PostgreSQL take turns; SQLite's write lock does the same there.
    private const string TakeLock = "SELECT pg_advisory_xact_lock(7341)";

    private const string CreateTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

    private const string CountApplied = "SELECT COUNT(*) FROM schema_migrations WHERE version = @version";

    private const string Record = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)";

    private static readonly Lazy<IReadOnlyList<Migration>> Embedded = new(() => LoadEmbedded());

    public static IReadOnlyList<Migration> Migrations => Embedded.Value;

    public static async Task ApplyAsync(FleetDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        foreach (var migration in Migrations)
        {
            await database.InTransactionAsync(
                (connection, transaction) => ApplyAsync(database.IsPostgres, connection, transaction, migration, time, cancellationToken),
                cancellationToken);
        }
    }

    private static async Task<bool> ApplyAsync(
        bool isPostgres, DbConnection connection, DbTransaction transaction, Migration migration, TimeProvider time, CancellationToken cancellationToken)
    {
        if (isPostgres)
        {
            await connection.CreateCommand(TakeLock, transaction).ExecuteAsync(cancellationToken);
        }

        await connection.CreateCommand(CreateTable, transaction).ExecuteAsync(cancellationToken);
        await using (var count = connection.CreateCommand(CountApplied, transaction).Bind("@version", migration.Version))
        {
            if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0)
            {
                return false;
            }
        }

        await connection.CreateCommand(migration.Sql, transaction).ExecuteAsync(cancellationToken);
        await connection.CreateCommand(Record, transaction)
            .Bind("@version", migration.Version)
            .Bind("@name", migration.Name)
            .Bind("@applied_at", time.GetUtcNow())
            .ExecuteAsync(cancellationToken);
        return true;
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Migrations {migrations[i - 1].Name} and {migrations[i].Name} share number {migrations[i].Version}; renumber one of the files in Storage/Migrations.");
            }
        }

        return migrations;
    }

    [GeneratedRegex(@"\.Storage\.Migrations\.(\d+)_(\w+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceName();
}
