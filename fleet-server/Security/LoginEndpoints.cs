using System.Globalization;
using EdgeMl.Fleet.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace EdgeMl.Fleet.Security;

/// <summary>Login and logout on the HTTP port: admins land on the dashboard, inspectors on the review station.</summary>
internal static class LoginEndpoints
{
    public const string LogoutPath = "/logout";

    public static void MapLogin(this WebApplication app)
    {
        app.MapGet(AccountFilter.LoginPath, () => Html(LoginPage.Form(null)));
        app.MapPost(AccountFilter.LoginPath, async (HttpContext http, LoginSessions sessions, LoginThrottle throttle, FleetMetrics metrics, CancellationToken ct) =>
        {
            if (!http.Request.HasFormContentType)
            {
                return Results.Text("send the login form (name, password) as application/x-www-form-urlencoded\n", statusCode: StatusCodes.Status400BadRequest);
            }

            var form = await http.Request.ReadFormAsync(ct);
            var name = form["name"].ToString();
            var address = http.Connection.RemoteIpAddress;
            if (throttle.RetryAfter(name, address) is { } wait)
            {
                metrics.Login("throttled");
                var seconds = (long)Math.Ceiling(wait.TotalSeconds);
                http.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
                return Html(LoginPage.Form($"too many failed logins; try again in {Math.Ceiling(seconds / 60.0)} minutes"), StatusCodes.Status429TooManyRequests);
            }

            var account = await sessions.LogInAsync(http, name, form["password"].ToString(), ct);
            if (account is null)
            {
                throttle.Failed(name, address);
                metrics.Login("wrong");
                return Html(LoginPage.Form("wrong name or password"), StatusCodes.Status401Unauthorized);
            }

            throttle.Succeeded(name);
            metrics.Login("ok");
            return Results.Redirect(account.IsAdmin ? "/" : "/review");
        });
        app.MapPost(LogoutPath, async (HttpContext http, LoginSessions sessions, CancellationToken ct) =>
        {
            await sessions.LogOutAsync(http, ct);
            return Results.Redirect(AccountFilter.LoginPath);
        });
    }

    private static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", statusCode: status);
}
