namespace EdgeMl.Fleet.Storage;

/// <summary>One instance of every store over one migrated database.</summary>
internal sealed class FleetStores
{
    private FleetStores(FleetDatabase database)
    {
        Database = database;
        Models = new ModelStore(database);
        Devices = new DeviceStore(database);
        Tokens = new EnrolmentTokenStore(database);
        DesiredStates = new DesiredStateStore(database);
        Rollouts = new RolloutStore(database);
        Audit = new AuditStore(database);
    }

    public FleetDatabase Database { get; }

    public ModelStore Models { get; }

    public DeviceStore Devices { get; }

    public EnrolmentTokenStore Tokens { get; }

    public DesiredStateStore DesiredStates { get; }

    public RolloutStore Rollouts { get; }

    public AuditStore Audit { get; }

    /// <summary>Migrates <paramref name="database"/> to the current schema, then opens the stores on it.</summary>
    public static async Task<FleetStores> OpenAsync(FleetDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await database.MigrateAsync(cancellationToken);
        return new FleetStores(database);
    }
}
