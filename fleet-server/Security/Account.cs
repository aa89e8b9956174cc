namespace EdgeMl.Fleet.Security;

/// <summary>Who a request comes from on the HTTP port: an admin sees everything, an inspector the review station only.</summary>
internal sealed record Account(string Name, string Role)
{
    public const string Admin = "admin";

    public const string Inspector = "inspector";

    /// <summary>The name the admin token goes by; no account may take it, so a verdict by "admin" always means the token.</summary>
    public const string TokenName = "admin";

    public bool IsAdmin => Role == Admin;
}
