using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EdgeMl.Contracts.Configuration;
using Xunit;

namespace EdgeMl.Tests.Shared;

/// <summary>
/// Writes one component's part of docs/configuration.md from its options classes (every class named <c>*Options</c>
/// with a <c>Section</c> constant): each property with its default (from a new instance), its environment variable,
/// its flag (<see cref="CommandLineFlagAttribute"/>) and its doc comment. Compiled into both test projects.
/// </summary>
internal static partial class ConfigurationReference
{
    public const string Prefix = "EDGEML_";

    /// <summary>The markdown of one component; <paramref name="problems"/> gets every undocumented option and every flag no command has.</summary>
    public static string Render(Assembly assembly, IEnumerable<Command> commands, List<string> problems)
    {
        var docs = LoadDocs(assembly);
        var flags = commands.SelectMany(c => Flatten(c)).ToList();
        var text = new StringBuilder();
        foreach (var type in OptionsTypes(assembly))
        {
            var section = (string)type.GetField("Section")!.GetRawConstantValue()!;
            text.Append(CultureInfo.InvariantCulture, $"### {section}\n\n{Describe(docs, "T:" + type.FullName)}\n\n");
            text.Append("| option | environment variable | flag | default | description |\n| --- | --- | --- | --- | --- |\n");
            foreach (var row in Rows(docs, section, type, Activator.CreateInstance(type), inherited: null))
            {
                if (row.Description.Length == 0)
                {
                    problems.Add($"{row.Key} has no doc comment ({type.Name}.cs)");
                }

                if (row.Flag is { } flag && !flags.Any(f => f.Flag == flag.Flag && (flag.Command is null || f.Command == flag.Command)))
                {
                    problems.Add($"{row.Key}: no command has the flag {flag.Flag}{(flag.Command is null ? "" : " on " + flag.Command)}");
                }

                var flagText = row.Flag is null ? "" : $"`{(row.Flag.Command is null ? "" : row.Flag.Command + " ")}{row.Flag.Flag}`";
                text.Append(CultureInfo.InvariantCulture,
                    $"| {row.Key} | `{Prefix}{row.Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()}` | {flagText} | {Cell(row.Default)} | {Cell(row.Description)} |\n");
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd() + "\n";
    }

    /// <summary>
    /// Fails, printing the regenerated text, when docs/configuration.md does not hold <paramref name="generated"/>
    /// between the component's markers; with EDGEML_WRITE_DOCS=1 it writes the file instead.
    /// </summary>
    public static void AssertDocumented(string repositoryRoot, string component, string generated)
    {
        var path = Path.Combine(repositoryRoot, "docs", "configuration.md");
        var current = File.ReadAllText(path).ReplaceLineEndings("\n");
        var expected = Splice(current, component, generated);
        if (current != expected && Environment.GetEnvironmentVariable("EDGEML_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        Assert.True(current == expected,
            $"docs/configuration.md is out of date for {component}; rerun with EDGEML_WRITE_DOCS=1 or paste this between its markers:\n{generated}");
    }

    /// <summary>Replaces the text between the component's begin and end markers.</summary>
    public static string Splice(string document, string component, string generated)
    {
        var begin = $"<!-- begin {component}: generated from the options classes by tests; do not edit -->\n";
        var end = $"<!-- end {component} -->";
        var from = document.IndexOf(begin, StringComparison.Ordinal);
        var to = document.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            throw new InvalidOperationException($"docs/configuration.md lacks the markers '{begin.TrimEnd()}' ... '{end}'");
        }

        return string.Concat(document.AsSpan(0, from + begin.Length), generated, document.AsSpan(to));
    }

    private static IEnumerable<Type> OptionsTypes(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("Section") is { IsLiteral: true })
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    private static IEnumerable<(string Key, CommandLineFlagAttribute? Flag, string Default, string Description)> Rows(
        Dictionary<string, string> docs, string prefix, Type type, object? instance, string? inherited)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null))
        {
            var key = $"{prefix}:{property.Name}";
            var description = Describe(docs, $"P:{type.FullName}.{property.Name}");
            var value = instance is null ? null : property.GetValue(instance);
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (valueType.IsClass && valueType != typeof(string))
            {
                // A nested object (Decisions:Bands) is set key by key; its keys carry the parent's description.
                foreach (var row in Rows(docs, key, valueType, value, inherited ?? description))
                {
                    yield return row;
                }

                continue;
            }

            var shown = property.GetCustomAttribute<DefaultValueAttribute>()?.Value?.ToString() ?? Format(value);
            if (valueType.IsEnum)
            {
                shown += $" (one of {string.Join(", ", Enum.GetNames(valueType))})";
            }

            yield return (key, property.GetCustomAttribute<CommandLineFlagAttribute>(), shown, description.Length > 0 ? description : inherited ?? "");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Cell(string text) => text.Length == 0 ? "" : text.Replace("|", "\\|", StringComparison.Ordinal);

    private static IEnumerable<(string Command, string Flag)> Flatten(Command command) =>
        command.Options.Select(o => (command.Name, o.Name)).Concat(command.Subcommands.SelectMany(Flatten));

    private static Dictionary<string, string> LoadDocs(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: the project must set GenerateDocumentationFile");
        }

        return XDocument.Load(path).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Plain(m.Element("summary")!));
    }

    private static string Describe(Dictionary<string, string> docs, string member) => docs.GetValueOrDefault(member, "");

    /// <summary>A summary as one line of markdown: <c>x</c> and crefs become code, whitespace collapses.</summary>
    private static string Plain(XElement summary)
    {
        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "c" } c => $"`{c.Value}`",
                XElement { Name.LocalName: "see" } s => $"`{((string?)s.Attribute("cref") ?? (string?)s.Attribute("langword") ?? "").Split('.', ':')[^1]}`",
                XElement e => e.Value,
                _ => "",
            });
        }

        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
