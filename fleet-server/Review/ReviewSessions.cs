using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using Microsoft.AspNetCore.Http;

namespace EdgeMl.Fleet.Review;

/// <summary>
/// Who is reviewing: an inspector by a session cookie from the login page, or an admin by the admin token
/// as bearer. Sessions live in the database (token hashes only), so every replica knows them.
/// </summary>
internal sealed class ReviewSessions(FleetStores stores, FleetCredentials credentials, TimeProvider time)
{
    public const string Cookie = "edgeml_review";
    public const string Admin = "admin";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Checks the password and sets the session cookie; false when the name or password is wrong.</summary>
    public async Task<bool> LogInAsync(HttpContext http, string name, string password, CancellationToken cancellationToken)
    {
        var stored = await stores.Inspectors.PasswordHashAsync(name, cancellationToken);
        if (stored is null || !InspectorPasswords.Verify(password, stored))
        {
            return false;
        }

        var token = Secrets.NewToken();
        var expires = time.GetUtcNow() + Lifetime;
        await stores.Inspectors.StartSessionAsync(Secrets.Hash(token), name, expires, cancellationToken);
        http.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            Expires = expires,
        });
        return true;
    }

    public async Task LogOutAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.Cookies[Cookie] is { } token)
        {
            await stores.Inspectors.EndSessionAsync(Secrets.Hash(token), time.GetUtcNow(), cancellationToken);
        }

        http.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });
    }

    /// <summary>The reviewer's name (<see cref="Admin"/> for the admin token), or null for anyone else.</summary>
    public async Task<string?> ReviewerAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && credentials.Admin.Accepts(header[7..].Trim()))
        {
            return Admin;
        }

        return http.Request.Cookies[Cookie] is { Length: > 0 } token
            ? await stores.Inspectors.SessionAsync(Secrets.Hash(token), time.GetUtcNow(), cancellationToken)
            : null;
    }
}
