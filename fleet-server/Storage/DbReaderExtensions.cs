using System.Data.Common;
using System.Globalization;

namespace EdgeMl.Fleet.Storage;

/// <summary>Reads columns in the representation the stores write them in (see <see cref="DbCommandExtensions"/>).</summary>
internal static class DbReaderExtensions
{
    public static string? GetStringOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    // SQLite hands back every integer as a 64-bit value and PostgreSQL as the column's own width:
    // converting covers both without caring which column was declared INTEGER or BIGINT.
    public static long GetLong(this DbDataReader reader, int ordinal) =>
        Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static int GetInt(this DbDataReader reader, int ordinal) =>
        Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static bool GetFlag(this DbDataReader reader, int ordinal) => reader.GetLong(ordinal) != 0;

    public static DateTimeOffset GetTimestamp(this DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetLong(ordinal));

    public static DateTimeOffset? GetTimestampOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTimestamp(ordinal);
}
