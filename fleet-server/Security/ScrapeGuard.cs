using EdgeMl.Fleet.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// Stands before the Prometheus exporter on <c>/metrics</c>: only the admin token or the scrape token as bearer gets
/// through, so a Prometheus host never holds the admin token; then the gauges read from the database are brought up to date.
/// </summary>
internal static class ScrapeGuard
{
    public static async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null;
        var credentials = http.RequestServices.GetRequiredService<FleetCredentials>();
        if (!credentials.Admin.Accepts(presented) && !credentials.Metrics.Accepts(presented))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            await http.Response.WriteAsync("a bearer token is required: the scrape token (<data>/metrics.token) or the admin token (<data>/admin.token)\n", http.RequestAborted);
            return;
        }

        await http.RequestServices.GetRequiredService<FleetMetrics>().RefreshAsync(http.RequestAborted);
        await next(http);
    }
}
