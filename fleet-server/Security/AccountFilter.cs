using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// Lets through a caller with an account (session cookie or admin token), only admins where <c>adminOnly</c>, and
/// hands handlers the account as <see cref="Caller"/>. Without an account pages send the browser to the login form
/// and the JSON API answers 401; an inspector on an admin route gets 403.
/// </summary>
internal sealed class AccountFilter(bool adminOnly, bool page) : IEndpointFilter
{
    public const string LoginPath = "/login";
    private const string Key = "edgeml.account";

    public static Account Caller(HttpContext http) => (Account)http.Items[Key]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var account = await http.RequestServices.GetRequiredService<LoginSessions>().AccountAsync(http, http.RequestAborted);
        if (account is not null && (account.IsAdmin || !adminOnly))
        {
            http.Items[Key] = account;
            return await next(context);
        }

        if (account is not null)
        {
            return Results.Text($"{account.Name} is an inspector; this page is for admins only\n", statusCode: StatusCodes.Status403Forbidden);
        }

        if (page)
        {
            return Results.Redirect(LoginPath);
        }

        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Results.Text($"log in at {LoginPath} or send the admin token (<data>/admin.token) as bearer\n", statusCode: StatusCodes.Status401Unauthorized);
    }
}
