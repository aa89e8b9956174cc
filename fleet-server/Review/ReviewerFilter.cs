using Microsoft.AspNetCore.Http;

namespace EdgeMl.Fleet.Review;

/// <summary>
/// Lets an inspector (session cookie) or an admin (bearer token) through and hands handlers the name as
/// <see cref="Reviewer"/>; pages send anyone else to the login page, the JSON API answers 401.
/// </summary>
internal sealed class ReviewerFilter(bool page) : IEndpointFilter
{
    private const string Key = "edgeml.reviewer";

    public static string Reviewer(HttpContext http) => (string)http.Items[Key]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var reviewer = await http.RequestServices.GetRequiredService<ReviewSessions>().ReviewerAsync(http, http.RequestAborted);
        if (reviewer is not null)
        {
            http.Items[Key] = reviewer;
            return await next(context);
        }

        return page
            ? Results.Redirect("/review/login")
            : Results.Text("log in at /review/login (inspectors) or send the admin token as bearer\n", statusCode: StatusCodes.Status401Unauthorized);
    }
}
