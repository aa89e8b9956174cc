using System.Data.Common;
using System.Globalization;

namespace EdgeMl.Fleet.Storage;

internal sealed class ModelStore(FleetDatabase db)
{
    private const string Columns =
        "name, version, sequence, model_sha256, bundle_sha256, bundle_size, pushed_at, pushed_by, manifest_json";

    // Concurrent pushes of one name on PostgreSQL take turns; on SQLite the transaction holds the write lock already.
    private const string LockName = "SELECT pg_advisory_xact_lock(7342, hashtext(@name))";

    private const string CountVersion = "SELECT COUNT(*) FROM models WHERE name = @name AND version = @version";
    private const string NextSequence = "SELECT COALESCE(MAX(sequence), 0) + 1 FROM models WHERE name = @name";

    private const string Insert =
        $"INSERT INTO models ({Columns}) VALUES (@name, @version, @sequence, @model_sha256, @bundle_sha256, @bundle_size, @pushed_at, @pushed_by, @manifest_json)";

    private const string SelectOne = $"SELECT {Columns} FROM models WHERE name = @name AND version = @version";
    private const string SelectAll = $"SELECT {Columns} FROM models ORDER BY name, sequence";
    private const string UpdateBundle = "UPDATE models SET bundle_sha256 = @bundle_sha256, bundle_size = @bundle_size WHERE name = @name AND version = @version";
    private const string SelectByName = $"SELECT {Columns} FROM models WHERE name = @name ORDER BY sequence";

    /// <summary>
    /// Stores a new version under the next sequence of its name. <paramref name="seal"/> gets that sequence inside the
    /// same transaction, while other pushes of the name wait, signs and writes what names it, and returns the record to
    /// store; so the stored sequence is always the signed one, and nothing is written for a version that exists.
    /// </summary>
    /// <exception cref="DuplicateModelException">The name and version are already stored; <paramref name="seal"/> was not called.</exception>
    public async Task<ModelRecord> AddAsync(string name, string version, Func<long, Task<ModelRecord>> seal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seal);
        var model = await db.InTransactionAsync(
            async (_, transaction) =>
            {
                if (db.IsPostgres)
                {
                    await transaction.CreateCommand(LockName).Bind("@name", name).ExecuteAsync(cancellationToken);
                }

                if (await ScalarAsync(transaction.CreateCommand(CountVersion).Bind("@name", name).Bind("@version", version), cancellationToken) > 0)
                {
                    throw new DuplicateModelException(name, version);
                }

                var sequence = await ScalarAsync(transaction.CreateCommand(NextSequence).Bind("@name", name), cancellationToken);
                var sealedModel = await seal(sequence);
                if ((sealedModel.Name, sealedModel.Version, sealedModel.Sequence) != (name, version, sequence))
                {
                    throw new InvalidOperationException(
                        $"Sealing {name}:{version} under sequence {sequence} returned {sealedModel.Id} with sequence {sealedModel.Sequence}; the record must name what was sealed.");
                }

                await transaction.CreateCommand(Insert)
                    .Bind("@name", sealedModel.Name)
                    .Bind("@version", sealedModel.Version)
                    .Bind("@sequence", sealedModel.Sequence)
                    .Bind("@model_sha256", sealedModel.ModelSha256)
                    .Bind("@bundle_sha256", sealedModel.BundleSha256)
                    .Bind("@bundle_size", sealedModel.BundleSize)
                    .Bind("@pushed_at", sealedModel.PushedAt)
                    .Bind("@pushed_by", sealedModel.PushedBy)
                    .Bind("@manifest_json", sealedModel.ManifestJson)
                    .ExecuteAsync(cancellationToken);
                return sealedModel;
            },
            cancellationToken);
        return model with { PushedAt = model.PushedAt.ToStoredPrecision() };
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

    private static async Task<long> ScalarAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
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
