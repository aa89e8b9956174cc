using EdgeMl.Contracts.Fleet;

namespace EdgeMl.Fleet.Rollouts;

/// <summary><c>site=a,line=3</c>: a device matches when it has every listed tag with that value; empty matches all.</summary>
internal sealed class TagSelector
{
    private readonly KeyValuePair<string, string>[] _terms;

    private TagSelector(KeyValuePair<string, string>[] terms, string text)
    {
        _terms = terms;
        Text = text;
    }

    public string Text { get; }

    public static TagSelector Parse(string? text)
    {
        var terms = Tags.Parse(text).OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        return new TagSelector(terms, string.Join(',', terms.Select(t => $"{t.Key}={t.Value}")));
    }

    public bool Matches(IReadOnlyDictionary<string, string> tags) =>
        _terms.All(t => tags.TryGetValue(t.Key, out var value) && value == t.Value);
}
