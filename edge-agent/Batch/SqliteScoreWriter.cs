using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Pipeline;
using Microsoft.Data.Sqlite;

namespace EdgeMl.Agent.Batch;

/// <summary>Appends rows to the <c>scores</c> table of a SQLite database (WAL), in one transaction per run.</summary>
internal sealed class SqliteScoreWriter : IScoreWriter
{
    public const string Table = "scores";

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter[] _parameters;
    private readonly IReadOnlyList<string> _labels;
    private readonly string _version;
    private readonly TimeProvider _time;

    public SqliteScoreWriter(string path, IReadOnlyList<string> labels, string version, TimeProvider time)
    {
        _labels = labels;
        _version = version;
        _time = time;
        var columns = ScoreRow.Header(labels);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute($"CREATE TABLE IF NOT EXISTS {Table} ({string.Join(", ", columns.Select(Declare))});");
        CheckColumns(path, columns);
        _transaction = _connection.BeginTransaction();
        _insert = _connection.CreateCommand();
        _insert.Transaction = _transaction;
        _insert.CommandText = $"INSERT INTO {Table} ({string.Join(", ", columns.Select(Quote))}) VALUES ({string.Join(", ", columns.Select((_, i) => "$c" + i))});";
        _parameters = columns.Select((_, i) => _insert.Parameters.Add(new SqliteParameter("$c" + i, null))).ToArray();
        _insert.Prepare();
    }

    public void Write(FrameSlot slot)
    {
        var ok = slot.Verdict.Decision != Decision.Error;
        var i = 0;
        _parameters[i++].Value = slot.Name;
        _parameters[i++].Value = ok ? _labels[slot.Verdict.Label] : DBNull.Value;
        _parameters[i++].Value = ok ? slot.Verdict.Confidence : DBNull.Value;
        _parameters[i++].Value = ScoreRow.Decision(slot.Verdict.Decision);
        _parameters[i++].Value = slot.Verdict.Automation is null ? DBNull.Value : ScoreRow.Automation(slot.Verdict.Automation);
        for (var label = 0; label < _labels.Count; label++)
        {
            _parameters[i++].Value = ok ? slot.Probabilities[label] : DBNull.Value;
        }

        _parameters[i++].Value = _version;
        _parameters[i++].Value = ScoreRow.LatencyMs(slot, _time);
        _parameters[i].Value = (object?)slot.Error ?? DBNull.Value;
        _insert.ExecuteNonQuery();
    }

    public void Complete() => _transaction.Commit();

    public void Dispose()
    {
        _insert.Dispose();
        _transaction.Dispose();
        _connection.Dispose();
    }

    private void CheckColumns(string path, string[] columns)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{Table}') ORDER BY cid;";
        using var reader = command.ExecuteReader();
        var existing = new List<string>();
        while (reader.Read())
        {
            existing.Add(reader.GetString(0));
        }

        if (!existing.SequenceEqual(columns))
        {
            throw new InvalidOperationException(
                $"table '{Table}' in '{path}' has columns ({string.Join(", ", existing)}) but this model writes ({string.Join(", ", columns)}); write to another database file");
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Quote(string column) => "\"" + column + "\"";

    private static string Declare(string column) => Quote(column) + column switch
    {
        "confidence" or "latency_ms" => " REAL",
        _ when column.StartsWith("p_", StringComparison.Ordinal) => " REAL",
        "file" or "decision" or "model_version" => " TEXT NOT NULL",
        _ => " TEXT",
    };
}
