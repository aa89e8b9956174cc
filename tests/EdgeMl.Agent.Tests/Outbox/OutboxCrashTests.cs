using System.Diagnostics;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Tests.Outbox;

public sealed class OutboxCrashTests
{
    [Fact]
    public async Task A_writer_killed_mid_write_loses_nothing_it_was_told_was_written_and_duplicates_nothing()
    {
        using var dir = new TempDirectory();
        var path = dir.File("outbox.db");
        var written = new List<string>();
        var acknowledged = new List<string>();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(OutboxWriter).Assembly.Location);
        start.ArgumentList.Add(OutboxWriter.Mode);
        start.ArgumentList.Add(path);
        using (var writer = Process.Start(start)!)
        {
            var error = writer.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (written.Count < 300)
            {
                var line = await writer.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"the writer stopped early: {await error}");
                Record(line, written, acknowledged);
            }

            // SIGKILL: no finaliser, no dispose, no checkpoint; it is in the middle of its loop.
            writer.Kill();
            await writer.WaitForExitAsync(deadline.Token);
            while (await writer.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                Record(line, written, acknowledged);
            }
        }

        using var store = new OutboxStore(Options.Create(new OutboxOptions { Path = path }), TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var held = store.ReadBatch(100_000).Select(m => m.Id).ToList();
        Assert.Equal(held.Count, held.Distinct().Count());

        // The kill may land after a commit and before its line: one message more than reported may be there.
        var reported = written.Max(Number);
        Assert.All(held, id => Assert.InRange(Number(id), 0, reported + 1));
        for (var i = 0; i <= reported; i++)
        {
            var id = $"m-{i}";
            if (i % 3 != 0)
            {
                Assert.Contains(id, held);
            }
            else if (acknowledged.Contains(id))
            {
                Assert.DoesNotContain(id, held);
            }
            else
            {
                // Only the last one can have been cut between its acknowledgement and the report of it.
                Assert.Equal(reported, i);
            }
        }

        Assert.Equal(store.Usage.Messages, held.Count);
        Assert.Equal("ok", IntegrityCheck(path));
    }

    [Fact]
    public void A_crash_image_of_an_open_outbox_holds_what_was_committed_and_not_what_was_not()
    {
        using var dir = new TempDirectory();
        var path = dir.File("outbox.db");
        var image = dir.File("image");
        using (var store = Open(path))
        {
            store.Enqueue(OutboxKind.Case, "kept", [1, 2, 3]);
            store.Enqueue(OutboxKind.Telemetry, "sent", [4]);
            store.Acknowledge("sent");
            using var other = new SqliteConnection($"Data Source={path};Pooling=False");
            other.Open();
            using var transaction = other.BeginTransaction();
            using var insert = other.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO messages (id, kind, payload, created_at) VALUES ('half', 'case', x'00', 0);";
            insert.ExecuteNonQuery();

            // The files as a power cut would leave them: the store never closed, a transaction open.
            Directory.CreateDirectory(image);
            foreach (var file in Directory.GetFiles(dir.Path, "outbox.db*"))
            {
                File.Copy(file, Path.Combine(image, Path.GetFileName(file)));
            }
        }

        using var reopened = Open(Path.Combine(image, "outbox.db"));
        var held = Assert.Single(reopened.ReadBatch(10));
        Assert.Equal(("kept", OutboxKind.Case), (held.Id, held.Kind));
        Assert.Equal(new byte[] { 1, 2, 3 }, held.Payload);
        Assert.Equal(new OutboxUsage(1, 3, 0), reopened.Usage);
    }

    private static OutboxStore Open(string path) =>
        new(Options.Create(new OutboxOptions { Path = path }), TimeProvider.System, NullLogger<OutboxStore>.Instance);

    private static void Record(string line, List<string> written, List<string> acknowledged)
    {
        var (list, id) = line.Split(' ') switch
        {
            ["written", var i] => (written, i),
            ["acknowledged", var i] => (acknowledged, i),
            _ => throw new InvalidOperationException($"unexpected line from the writer: {line}"),
        };
        list.Add(id);
    }

    private static int Number(string id) => int.Parse(id.AsSpan(2), provider: null);

    private static string IntegrityCheck(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        return (string)check.ExecuteScalar()!;
    }
}
