namespace EdgeMl.Fleet.Storage;

/// <summary>One-time enrolment tokens, stored only as hashes.</summary>
internal sealed class EnrolmentTokenStore(FleetDatabase db)
{
    private const string Insert =
        "INSERT INTO enrolment_tokens (token_hash, created_at, expires_at) VALUES (@token_hash, @created_at, @expires_at)";

    // Check and use in one statement: of two enrolments racing with one token, exactly one updates the row.
    private const string Consume =
        "UPDATE enrolment_tokens SET used_at = @now, used_by = @device_id " +
        "WHERE token_hash = @token_hash AND used_at IS NULL AND expires_at > @now";

    public async Task AddAsync(string tokenHash, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.CreateCommand(Insert)
            .Bind("@token_hash", tokenHash)
            .Bind("@created_at", createdAt)
            .Bind("@expires_at", expiresAt)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>Uses the token for <paramref name="deviceId"/>; false when it is unknown, used or expired.</summary>
    public async Task<bool> TryConsumeAsync(string tokenHash, string deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var updated = await connection.CreateCommand(Consume)
            .Bind("@token_hash", tokenHash)
            .Bind("@device_id", deviceId)
            .Bind("@now", now)
            .ExecuteAsync(cancellationToken);
        return updated == 1;
    }
}
