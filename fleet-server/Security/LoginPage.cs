using System.Net;

namespace EdgeMl.Fleet.Security;

/// <summary>The one login form of the HTTP port, for inspectors and admins alike.</summary>
internal static class LoginPage
{
    public static string Form(string? problem) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in</title>" +
        "<style>body{font-family:sans-serif;margin:1rem;background:#111;color:#eee}label{display:block;margin:.4rem 0}</style></head><body>" +
        "<h1>EdgeMl fleet</h1>" +
        (problem is null ? "" : $"<p id=\"problem\">{WebUtility.HtmlEncode(problem)}</p>") +
        $"<form method=\"post\" action=\"{AccountFilter.LoginPath}\">" +
        "<label>Name <input name=\"name\" autocomplete=\"username\" autofocus></label>" +
        "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>" +
        "<button type=\"submit\">Log in</button></form></body></html>";
}
