using System.Diagnostics;
using Npgsql;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL server for the tests: its own data folder, a free port on 127.0.0.1,
/// no fsync, one fresh database per test. Started once for all PostgreSQL tests (see <see cref="PostgresCollection"/>).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string User = "edgeml";
    private const string BinariesRoot = "/usr/lib/postgresql";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private string? _root;
    private string? _pgCtl;
    private bool _started;
    private NpgsqlDataSource? _admin;

    private string DataDirectory => Path.Combine(_root!, "data");

    private string LogFile => Path.Combine(_root!, "server.log");

    public async Task InitializeAsync()
    {
        var bin = FindBinaries()
            ?? throw new InvalidOperationException(
                $"PostgreSQL is not installed: no initdb and pg_ctl under {BinariesRoot}/*/bin. " +
                "Install it with `apt-get install postgresql` (CI does) to run the PostgreSQL storage tests.");
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _root = Directory.CreateTempSubdirectory("edgeml-pg-").FullName;
        try
        {
            await StartAsync(bin);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database for one test.</summary>
    internal async Task<TestDatabase> CreateDatabaseAsync()
    {
        var admin = _admin ?? throw new InvalidOperationException("The PostgreSQL server did not start; see the fixture's failure.");
        var name = $"t_{Guid.NewGuid():N}";
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name };
        return new PostgresTestDatabase(connection.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
            _admin = null;
        }

        NpgsqlConnection.ClearAllPools();
        if (_started && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunAsync(_pgCtl!, ["stop", "-D", DataDirectory, "-m", "immediate", "-w"]);
        }

        _started = false;
        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
            _root = null;
        }
    }

    private async Task StartAsync(string bin)
    {
        var sockets = Directory.CreateDirectory(Path.Combine(_root!, "sockets")).FullName;
        if (Environment.IsPrivilegedProcess)
        {
            // PostgreSQL refuses to run as root: hand the folder to the postgres account and run as it.
            await RunAsync("chown", ["-R", "postgres:postgres", _root!], asPostgres: false);
        }

        var port = FreePort.Next();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-A", "trust", "-U", User, "-E", "UTF8", "--no-locale", "--no-sync"]);
        _started = true;
        await RunAsync(_pgCtl!, [
            "start", "-W", "-D", DataDirectory, "-l", LogFile,
            "-o", $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
        ]);

        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = User, Database = "postgres" };
        _admin = NpgsqlDataSource.Create(admin.ConnectionString);
        await WaitUntilAcceptingAsync(_admin);
    }

    private static string? FindBinaries() =>
        Directory.Exists(BinariesRoot)
            ? Directory.GetDirectories(BinariesRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;

    private async Task WaitUntilAcceptingAsync(NpgsqlDataSource admin)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await admin.OpenConnectionAsync();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < StartDeadline)
            {
                await Task.Delay(50);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not accept connections within {StartDeadline.TotalSeconds} s. Server log:\n{ReadLog()}", e);
            }
        }
    }

    private string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root!,
        };
        if (asPostgres && Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(StartDeadline);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{program} {string.Join(' ', arguments)}` exited with {process.ExitCode}:\n{await output}\n{await errors}\nServer log:\n{ReadLog()}");
        }
    }
}
