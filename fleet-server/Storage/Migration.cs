namespace EdgeMl.Fleet.Storage;

/// <summary>One numbered schema change, from an embedded <c>Migrations/NNN_name.sql</c> file.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
