namespace EdgeMl.Contracts.Fleet;

/// <summary>Device tags as written on the command line: <c>site=a,line=3</c>.</summary>
public static class Tags
{
    public static Dictionary<string, string> Parse(string? text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1)
            {
                throw new ArgumentException($"tag '{part}' is not name=value");
            }

            tags[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        return tags;
    }
}
