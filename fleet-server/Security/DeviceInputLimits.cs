using EdgeMl.Protos.Fleet;
using Google.Protobuf.Collections;
using Grpc.Core;

namespace EdgeMl.Fleet.Security;

/// <summary>
/// Caps on the strings a device sends, which end up in the database, the audit log and every
/// listing. Names and tags over a cap are refused; a failure reason is cut, because a report
/// refused for its length would be retried by the agent forever.
/// </summary>
internal static class DeviceInputLimits
{
    public const int MaxTags = 32;
    public const int MaxTagKeyLength = 64;
    public const int MaxTagValueLength = 256;
    public const int MaxNameLength = 128;
    public const int MaxReasonLength = 1024;
    public const int MaxManifestFields = 1024;

    public static void Check(EnrolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<string>();
        if (request.Tags.Count > MaxTags)
        {
            problems.Add($"{request.Tags.Count} tags (at most {MaxTags})");
        }

        problems.AddRange(request.Tags.Where(t => t.Key.Length is 0 or > MaxTagKeyLength).Select(t => $"a tag name of {t.Key.Length} characters (1 to {MaxTagKeyLength})"));
        problems.AddRange(request.Tags.Where(t => t.Value.Length > MaxTagValueLength).Select(t => $"tag '{Head(t.Key)}' with a {t.Value.Length}-character value (at most {MaxTagValueLength})"));
        Name(problems, "hostname", request.Hostname);
        Name(problems, "agent_version", request.AgentVersion);
        Fields(problems, request.ManifestFields);
        Refuse(problems);
    }

    public static void Check(WatchDesiredStateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<string>();
        Fields(problems, request.ManifestFields);
        Refuse(problems);
    }

    /// <summary>Refuses over-long names and cuts the reason in place.</summary>
    public static void Apply(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var problems = new List<string>();
        Name(problems, "model_name", report.ModelName);
        Name(problems, "model_version", report.ModelVersion);
        Name(problems, "execution_provider", report.ExecutionProvider);
        Name(problems, "agent_version", report.AgentVersion);
        Refuse(problems);
        if (report.Reason.Length > MaxReasonLength)
        {
            report.Reason = string.Concat(report.Reason.AsSpan(0, MaxReasonLength - 1), "…");
        }
    }

    private static void Name(List<string> problems, string field, string value)
    {
        if (value.Length > MaxNameLength)
        {
            problems.Add($"{field} of {value.Length} characters (at most {MaxNameLength})");
        }
    }

    private static void Fields(List<string> problems, RepeatedField<string> fields)
    {
        if (fields.Count > MaxManifestFields)
        {
            problems.Add($"{fields.Count} manifest_fields (at most {MaxManifestFields})");
        }

        problems.AddRange(fields.Where(f => f.Length is 0 or > MaxNameLength).Take(1).Select(f => $"a manifest field of {f.Length} characters (1 to {MaxNameLength})"));
    }

    private static string Head(string text) => text.Length <= MaxTagKeyLength ? text : text[..MaxTagKeyLength] + "…";

    private static void Refuse(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"refused: {string.Join("; ", problems)}"));
        }
    }
}
