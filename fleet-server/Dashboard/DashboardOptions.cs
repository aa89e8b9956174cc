namespace EdgeMl.Fleet.Dashboard;

/// <summary>The dashboard's live updates (section <c>Dashboard</c>, <c>EDGEML_Dashboard__*</c>).</summary>
internal sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>How often an open dashboard's event stream looks for changed devices, rollouts and telemetry; each open stream reads the database this often.</summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
