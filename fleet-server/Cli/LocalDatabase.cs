using System.CommandLine;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Cli;

/// <summary>The flags of commands that work on the server's database directly, on the server host (as <c>keys</c> works on its data directory).</summary>
internal sealed class LocalDatabase
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "The server's data directory (its SQLite database)",
        DefaultValueFactory = _ => new FleetServerOptions().DataDirectory,
    };

    public Option<string?> Postgres { get; } = new("--postgres") { Description = "The server's PostgreSQL connection string, when it runs on PostgreSQL" };

    public Command With(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Postgres);
        return command;
    }

    /// <summary>Opens (and migrates) the database the flags name.</summary>
    public async Task<FleetStores> OpenAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var postgres = result.GetValue(Postgres);
        var database = postgres is null
            ? FleetDatabase.Sqlite(Path.Combine(result.GetRequiredValue(Data), "fleet.db"))
            : FleetDatabase.Postgres(postgres);
        return await FleetStores.OpenAsync(database, cancellationToken);
    }
}
