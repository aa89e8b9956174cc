using EdgeMl.Fleet.Storage;
using Microsoft.AspNetCore.Http;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// Who is calling on the HTTP port: an account (admin or inspector) by the session cookie from the login form,
/// or the admin token as bearer. Sessions live in the database (token hashes only), so every replica knows them.
/// </summary>
internal sealed class LoginSessions(FleetStores stores, FleetCredentials credentials, TimeProvider time)
{
    public const string Cookie = "edgeml_session";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Checks the password and sets the session cookie; null when the name or password is wrong.</summary>
    public async Task<Account?> LogInAsync(HttpContext http, string name, string password, CancellationToken cancellationToken)
    {
        var stored = await stores.Inspectors.PasswordHashAsync(name, cancellationToken);
        if (stored is null || !AccountPasswords.Verify(password, stored)
            || await stores.Inspectors.RoleAsync(name, cancellationToken) is not { } role)
        {
            return null;
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
        return new Account(name, role);
    }

    public async Task LogOutAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.Cookies[Cookie] is { } token)
        {
            await stores.Inspectors.EndSessionAsync(Secrets.Hash(token), time.GetUtcNow(), cancellationToken);
        }

        http.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });
    }

    /// <summary>The caller's account (<see cref="Account.TokenName"/> for the admin token), or null for anyone else.</summary>
    public async Task<Account?> AccountAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && credentials.Admin.Accepts(header[7..].Trim()))
        {
            return new Account(Account.TokenName, Account.Admin);
        }

        return http.Request.Cookies[Cookie] is { Length: > 0 } token
            ? await stores.Inspectors.SessionAsync(Secrets.Hash(token), time.GetUtcNow(), cancellationToken)
            : null;
    }
}
