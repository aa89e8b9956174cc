namespace EdgeMl.Agent.Sync;

internal static class AgentVersion
{
    public static string Current { get; } = typeof(AgentVersion).Assembly.GetName().Version?.ToString() ?? "0";
}
