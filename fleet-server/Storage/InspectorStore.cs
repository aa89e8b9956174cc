namespace EdgeMl.Fleet.Storage;

/// <summary>Inspector accounts (password hashes only) and their login sessions (token hashes only).</summary>
internal sealed class InspectorStore(FleetDatabase db)
{
    private const string Insert = "INSERT INTO inspectors (name, password_hash, created_at) VALUES (@name, @hash, @at) ON CONFLICT (name) DO NOTHING";
    private const string SelectHash = "SELECT password_hash FROM inspectors WHERE name = @name";
    private const string InsertSession = "INSERT INTO inspector_sessions (token_hash, inspector, expires_at) VALUES (@token_hash, @name, @expires_at)";
    private const string SelectSession = "SELECT inspector FROM inspector_sessions WHERE token_hash = @token_hash AND expires_at > @now";
    private const string DeleteSession = "DELETE FROM inspector_sessions WHERE token_hash = @token_hash OR expires_at <= @now";

    /// <summary>Adds an inspector; false when the name is taken (the existing account is left as it is).</summary>
    public async Task<bool> AddAsync(string name, string passwordHash, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(Insert).Bind("@name", name).Bind("@hash", passwordHash).Bind("@at", at).ExecuteAsync(cancellationToken) == 1;
    }

    public async Task<string?> PasswordHashAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectHash).Bind("@name", name).QuerySingleAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task StartSessionAsync(string tokenHash, string name, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(InsertSession).Bind("@token_hash", tokenHash).Bind("@name", name).Bind("@expires_at", expiresAt).ExecuteAsync(cancellationToken);
    }

    /// <summary>The inspector a session belongs to, or null when it is unknown or expired.</summary>
    public async Task<string?> SessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.CreateCommand(SelectSession).Bind("@token_hash", tokenHash).Bind("@now", now).QuerySingleAsync(r => r.GetString(0), cancellationToken);
    }

    /// <summary>Ends a session, and with it every expired one.</summary>
    public async Task EndSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(DeleteSession).Bind("@token_hash", tokenHash).Bind("@now", now).ExecuteAsync(cancellationToken);
    }
}
