namespace EdgeMl.Fleet.Security;

/// <summary>
/// The server's own credentials: the admin token (every admin call and HTTP route) and a scrape
/// token that opens <c>/metrics</c> only, so a Prometheus host never holds the admin token.
/// </summary>
internal sealed class FleetCredentials(AccessToken admin, AccessToken metrics)
{
    public const string AdminFile = "admin.token";

    public const string MetricsFile = "metrics.token";

    public AccessToken Admin { get; } = admin;

    public AccessToken Metrics { get; } = metrics;

    public static FleetCredentials LoadOrCreate(string dataDirectory) => new(
        AccessToken.LoadOrCreate(Path.Combine(dataDirectory, AdminFile), "admin"),
        AccessToken.LoadOrCreate(Path.Combine(dataDirectory, MetricsFile), "metrics"));
}
