namespace EdgeMl.Fleet.Storage;

/// <summary>One instance of every store over one migrated database.</summary>
internal sealed class FleetStores
{
    private FleetStores(FleetDatabase database, TimeProvider time)
    {
        Database = database;
        Models = new ModelStore(database);
        Devices = new DeviceStore(database);
        Tokens = new EnrolmentTokenStore(database);
        DesiredStates = new DesiredStateStore(database);
        Rollouts = new RolloutStore(database);
        Audit = new AuditStore(database, time);
        Cases = new CaseStore(database);
        Inspectors = new InspectorStore(database);
        Telemetry = new TelemetryStore(database);
        MemberReports = new MemberReportStore(database);
        Alerts = new AlertStore(database);
        DriftBaselines = new DriftBaselineStore(database);
    }

    public FleetDatabase Database { get; }

    public ModelStore Models { get; }

    public DeviceStore Devices { get; }

    public EnrolmentTokenStore Tokens { get; }

    public DesiredStateStore DesiredStates { get; }

    public RolloutStore Rollouts { get; }

    public AuditStore Audit { get; }

    public CaseStore Cases { get; }

    public InspectorStore Inspectors { get; }

    public TelemetryStore Telemetry { get; }

    public MemberReportStore MemberReports { get; }

    public AlertStore Alerts { get; }

    public DriftBaselineStore DriftBaselines { get; }

    /// <summary>Migrates <paramref name="database"/> to the current schema, then opens the stores on it.</summary>
    public static Task<FleetStores> OpenAsync(FleetDatabase database, CancellationToken cancellationToken) =>
        OpenAsync(database, TimeProvider.System, cancellationToken);

    /// <summary>As <see cref="OpenAsync(FleetDatabase, CancellationToken)"/>, with the server's clock for the timestamps the stores write themselves.</summary>
    public static async Task<FleetStores> OpenAsync(FleetDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await database.MigrateAsync(time, cancellationToken);
        return new FleetStores(database, time);
    }
}
