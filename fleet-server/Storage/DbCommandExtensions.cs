using System.Buffers;
using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.Json;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// The one place where store values become SQL parameters and rows become lists, so that every
/// store writes timestamps, flags and nulls the same way on SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// Parameters always carry a DbType, also when null: PostgreSQL must know the type of a parameter
/// that it cannot infer (for example one only used in a SELECT list or a COALESCE).
/// <c>Bind</c> adds a parameter the first time and replaces its value afterwards, which lets a
/// prepared command be reused row after row.
/// </remarks>
internal static class DbCommandExtensions
{
    public static DbCommand CreateCommand(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>A command on the transaction's connection that runs inside it.</summary>
    public static DbCommand CreateCommand(this DbTransaction transaction, string sql) =>
        (transaction.Connection ?? throw new InvalidOperationException("The transaction has already been committed or rolled back; run the command inside it."))
            .CreateCommand(sql, transaction);

    public static DbCommand Bind(this DbCommand command, string name, string? value) =>
        command.Bind(name, DbType.String, value);

    public static DbCommand Bind(this DbCommand command, string name, long value) =>
        command.Bind(name, DbType.Int64, value);

    public static DbCommand Bind(this DbCommand command, string name, int value) =>
        command.Bind(name, DbType.Int32, value);

    public static DbCommand Bind(this DbCommand command, string name, bool value) =>
        command.Bind(name, DbType.Int32, value ? 1 : 0);

    public static DbCommand Bind(this DbCommand command, string name, DateTimeOffset value) =>
        command.Bind(name, DbType.Int64, value.ToUnixTimeMilliseconds());

    public static DbCommand Bind(this DbCommand command, string name, DateTimeOffset? value) =>
        command.Bind(name, DbType.Int64, value?.ToUnixTimeMilliseconds());

    /// <summary>
    /// <c>AND column IN (@prefix0, @prefix1, ...)</c> for <paramref name="count"/> values bound with <see cref="BindEach"/>:
    /// nothing for null (no filter), a filter that matches nothing for none.
    /// </summary>
    public static string InFilter(string column, string prefix, int? count) => count switch
    {
        null => "",
        0 => "AND 1 = 0",
        _ => $"AND {column} IN ({string.Join(", ", Enumerable.Range(0, count.Value).Select(i => $"@{prefix}{i}"))})",
    };

    /// <summary>
    /// A table of one text column, <c>value</c>, named <paramref name="alias"/>, of the strings in a parameter bound with
    /// <see cref="BindJsonArray"/>: one statement takes tens of thousands of rows without a parameter per row (each of
    /// which SQLite would look up by name among all the others).
    /// </summary>
    public static string JsonValues(string parameter, string alias, bool postgres) =>
        postgres ? $"json_array_elements_text(CAST({parameter} AS json)) AS {alias} (value)" : $"json_each({parameter}) AS {alias}";

    /// <summary>Binds strings as one JSON array for <see cref="JsonValues"/>.</summary>
    public static DbCommand BindJsonArray(this DbCommand command, string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return command.Bind(name, Encoding.UTF8.GetString(json.WrittenSpan));
    }

    /// <summary>Binds the values an <see cref="InFilter"/> of the same prefix names.</summary>
    public static DbCommand BindEach(this DbCommand command, string prefix, IReadOnlyList<string>? values)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            command.Bind($"@{prefix}{i}", values![i]);
        }

        return command;
    }

    /// <summary>Adds the command, as bound now, to <paramref name="batch"/>; rebinding the command afterwards leaves the batch as it is.</summary>
    public static void AppendTo(this DbCommand command, DbBatch batch)
    {
        var item = batch.CreateBatchCommand();
        item.CommandText = command.CommandText;
        foreach (DbParameter source in command.Parameters)
        {
            var copy = item.CreateParameter();
            copy.ParameterName = source.ParameterName;
            copy.DbType = source.DbType;
            copy.Value = source.Value;
            item.Parameters.Add(copy);
        }

        batch.BatchCommands.Add(item);
    }

    /// <summary>The timestamp as it reads back: timestamps are stored as whole unix milliseconds.</summary>
    public static DateTimeOffset ToStoredPrecision(this DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    public static async Task<int> ExecuteAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ReadAllAsync(map, cancellationToken);
        }
    }

    public static async Task<T?> QuerySingleAsync<T>(this DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
        where T : class
    {
        var rows = await command.QueryAsync(map, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Runs the command and reads every row, leaving the command open for reuse.</summary>
    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(this DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static DbCommand Bind(this DbCommand command, string name, DbType type, object? value)
    {
        var index = command.Parameters.IndexOf(name);
        var parameter = index >= 0 ? command.Parameters[index] : command.CreateParameter();
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        if (index < 0)
        {
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
