using EdgeMl.Fleet.Security;

namespace EdgeMl.Fleet.Storage;

/// <summary>
/// Accounts of the people who log in on the HTTP port, inspectors and admins (password hashes only), and their
/// login sessions (token hashes only). Named after its first kind of account, as its table is.
/// </summary>
internal sealed class InspectorStore(FleetDatabase db)
{
    private const string Insert = "INSERT INTO inspectors (name, password_hash, role, created_at) VALUES (@name, @hash, @role, @at) ON CONFLICT (name) DO NOTHING";
    private const string SelectHash = "SELECT password_hash FROM inspectors WHERE name = @name";
    private const string SelectRole = "SELECT role FROM inspectors WHERE name = @name";
    private const string InsertSession = "INSERT INTO inspector_sessions (token_hash, inspector, expires_at) VALUES (@token_hash, @name, @expires_at)";

    private const string SelectSession =
        "SELECT s.inspector, i.role FROM inspector_sessions s JOIN inspectors i ON i.name = s.inspector WHERE s.token_hash = @token_hash AND s.expires_at > @now";

    private const string DeleteSession = "DELETE FROM inspector_sessions WHERE token_hash = @token_hash OR expires_at <= @now";

    /// <summary>Adds an inspector; false when the name is taken (the existing account is left as it is).</summary>
    public Task<bool> AddAsync(string name, string passwordHash, DateTimeOffset at, CancellationToken cancellationToken) =>
        AddAsync(new Account(name, Account.Inspector), passwordHash, at, cancellationToken);

    /// <summary>Adds an account of either role; false when the name is taken (the existing account is left as it is).</summary>
    public async Task<bool> AddAsync(Account account, string passwordHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(Insert)
            .Bind("@name", account.Name).Bind("@hash", passwordHash).Bind("@role", account.Role).Bind("@at", at)
            .ExecuteAsync(cancellationToken) == 1;
    }

    public async Task<string?> PasswordHashAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectHash).Bind("@name", name).QuerySingleAsync(r => r.GetString(0), cancellationToken);
    }

    /// <summary>The account's role, or null when there is no such account.</summary>
    public async Task<string?> RoleAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectRole).Bind("@name", name).QuerySingleAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task StartSessionAsync(string tokenHash, string name, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(InsertSession).Bind("@token_hash", tokenHash).Bind("@name", name).Bind("@expires_at", expiresAt).ExecuteAsync(cancellationToken);
    }

    /// <summary>The account a session belongs to, or null when it is unknown or expired.</summary>
    public async Task<Account?> SessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectSession).Bind("@token_hash", tokenHash).Bind("@now", now)
            .QuerySingleAsync(r => new Account(r.GetString(0), r.GetString(1)), cancellationToken);
    }

    /// <summary>Ends a session, and with it every expired one.</summary>
    public async Task EndSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(DeleteSession).Bind("@token_hash", tokenHash).Bind("@now", now).ExecuteAsync(cancellationToken);
    }
}
