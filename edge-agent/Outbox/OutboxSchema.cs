using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace EdgeMl.Agent.Outbox;

/// <summary>Brings an outbox file up to date with the numbered SQL files in Migrations/, each once, tracked in <c>PRAGMA user_version</c>.</summary>
internal static class OutboxSchema
{
    private const string Marker = ".Outbox.Migrations.";

    public static void Migrate(SqliteConnection connection)
    {
        var current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        foreach (var (number, sql) in Migrations().Where(m => m.Number > current))
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql + $"\nPRAGMA user_version = {number.ToString(CultureInfo.InvariantCulture)};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static IEnumerable<(int Number, string Sql)> Migrations()
    {
        var assembly = typeof(OutboxSchema).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(Marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Number: int.Parse(n[(n.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Split('_')[0], CultureInfo.InvariantCulture), Sql: Read(assembly, n)))
            .OrderBy(m => m.Number);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
