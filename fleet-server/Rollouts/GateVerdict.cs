namespace EdgeMl.Fleet.Rollouts;

/// <summary>What one gate decided about a wave (or about one device on probation).</summary>
internal static class GateVerdict
{
    public const string Pass = "pass";

    /// <summary>The model is worse than a limit allows: the rollout stops and rolls back.</summary>
    public const string Fail = "fail";

    /// <summary>Too few frames to judge: the wave waits, it never passes on this.</summary>
    public const string Inconclusive = "inconclusive";

    /// <summary>Above the absolute limit, but so is the baseline on the old version, within the relative limit: the line changed, not the model; the wave waits.</summary>
    public const string LineWide = "line-wide";
}
