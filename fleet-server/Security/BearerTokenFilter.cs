using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace EdgeMl.Fleet.Security;

/// <summary>Lets an HTTP request through only with one of the given tokens as <c>Authorization: Bearer</c>; otherwise 401.</summary>
internal sealed class BearerTokenFilter(Func<FleetCredentials, AccessToken[]> accepted) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null;
        var credentials = http.RequestServices.GetRequiredService<FleetCredentials>();
        if (accepted(credentials).Any(token => token.Accepts(presented)))
        {
            return await next(context);
        }

        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Results.Text("a bearer token is required: the admin token (<data>/admin.token), or for /metrics the scrape token (<data>/metrics.token)\n", statusCode: StatusCodes.Status401Unauthorized);
    }
}
