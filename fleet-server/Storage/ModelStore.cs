using System.Data.Common;
using System.Globalization;

namespace EdgeMl.Fleet.Storage;

internal sealed class ModelStore(FleetDatabase db)
{
    private const string Columns =
        "name, version, sequence, model_sha256, bundle_sha256, bundle_size, pushed_at, pushed_by, manifest_json";

    // Concurrent pushes of one name on PostgreSQL would otherwise read the same highest sequence.
    private const string LockName = "SELECT pg_advisory_xact_lock(7342, hashtext(@name))";

    // One statement reads the highest sequence and inserts; a duplicate name+version returns no row.
    private const string Insert =
        $"INSERT INTO models ({Columns}) " +
        "SELECT @name, @version, COALESCE(MAX(sequence), 0) + 1, @model_sha256, @bundle_sha256, @bundle_size, @pushed_at, @pushed_by, @manifest_json " +
        "FROM models WHERE name = @name " +
        "ON CONFLICT (name, version) DO NOTHING RETURNING sequence";

    private const string SelectOne = $"SELECT {Columns} FROM models WHERE name = @name AND version = @version";
    private const string SelectAll = $"SELECT {Columns} FROM models ORDER BY name, sequence";
    private const string UpdateBundle = "UPDATE models SET bundle_sha256 = @bundle_sha256, bundle_size = @bundle_size WHERE name = @name AND version = @version";
    private const string SelectByName = $"SELECT {Columns} FROM models WHERE name = @name ORDER BY sequence";

    /// <summary>Stores a new version with the next sequence of its name (the given <c>Sequence</c> is ignored).</summary>
    /// <exception cref="DuplicateModelException">The name and version are already stored.</exception>
    public async Task<ModelRecord> AddAsync(ModelRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sequence = await db.InTransactionAsync(
            async (connection, transaction) =>
            {
                if (db.IsPostgres)
                {
                    await connection.CreateCommand(LockName, transaction).Bind("@name", model.Name).ExecuteAsync(cancellationToken);
                }

                await using var insert = connection.CreateCommand(Insert, transaction)
                    .Bind("@name", model.Name)
                    .Bind("@version", model.Version)
                    .Bind("@model_sha256", model.ModelSha256)
                    .Bind("@bundle_sha256", model.BundleSha256)
                    .Bind("@bundle_size", model.BundleSize)
                    .Bind("@pushed_at", model.PushedAt)
                    .Bind("@pushed_by", model.PushedBy)
                    .Bind("@manifest_json", model.ManifestJson);
                return await insert.ExecuteScalarAsync(cancellationToken);
            },
            cancellationToken);
        return sequence is null or DBNull
            ? throw new DuplicateModelException(model.Name, model.Version)
            : model with { Sequence = Convert.ToInt64(sequence, CultureInfo.InvariantCulture), PushedAt = model.PushedAt.ToStoredPrecision() };
    }

    public async Task<ModelRecord?> GetAsync(string name, string version, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectOne).Bind("@name", name).Bind("@version", version).QuerySingleAsync(Read, cancellationToken);
    }

    /// <summary>All versions, or those of one name, ordered by name and then sequence.</summary>
    public async Task<IReadOnlyList<ModelRecord>> ListAsync(string? name, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var command = name is null ? connection.CreateCommand(SelectAll) : connection.CreateCommand(SelectByName).Bind("@name", name);
        return await command.QueryAsync(Read, cancellationToken);
    }

    /// <summary>Records a bundle signed again with a new signing key; name, version, sequence and content stay.</summary>
    public async Task ReplaceBundleAsync(string name, string version, string bundleSha256, long bundleSize, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(UpdateBundle)
            .Bind("@name", name)
            .Bind("@version", version)
            .Bind("@bundle_sha256", bundleSha256)
            .Bind("@bundle_size", bundleSize)
            .ExecuteAsync(cancellationToken);
    }

    private static ModelRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetLong(2),
        row.GetString(3),
        row.GetString(4),
        row.GetLong(5),
        row.GetTimestamp(6),
        row.GetString(7),
        row.GetString(8));
}
