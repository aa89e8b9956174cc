namespace EdgeMl.Fleet.Rollouts;

/// <summary>The states a rollout moves through; the first three are active.</summary>
internal static class RolloutState
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string WaitingSwitch = "waiting-switch";
    public const string Completed = "completed";
    public const string Aborted = "aborted";
    public const string RolledBack = "rolled-back";

    public const string Canary = "canary";
    public const string BlueGreen = "blue-green";
    public const string Shadow = "shadow";

    /// <summary>Blue/green's second step: every warmed device switches on the admin's command.</summary>
    public const string SwitchWave = "switch";
}
