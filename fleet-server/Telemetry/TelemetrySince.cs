using System.Globalization;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>The <c>--since</c> of <c>telemetry list</c> and <c>since=</c> of <c>GET /api/telemetry</c>: a time (ISO 8601) or an age such as 90s, 15m, 2h, 7d.</summary>
internal static class TelemetrySince
{
    public const string Expected = "a time such as 2026-12-01T08:00:00Z or an age such as 90s, 15m, 2h or 7d";

    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset? since)
    {
        since = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? age = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } a)
            {
                since = now - a;
                return true;
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            since = time;
            return true;
        }

        return false;
    }
}
