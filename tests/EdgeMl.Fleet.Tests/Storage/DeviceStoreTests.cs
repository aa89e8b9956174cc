using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class DeviceStoreTests : StoreTests
{
    [Fact]
    public async Task Reads_back_a_device_with_its_tags()
    {
        await Stores.Devices.AddAsync(Device("cam-1"), Timeout);

        var read = await Stores.Devices.GetAsync("cam-1", Timeout);

        Assert.NotNull(read);
        Assert.Equal(new Dictionary<string, string> { ["site"] = "lyon", ["line"] = "3" }, read.Tags);
        Assert.Equal(Device("cam-1") with { Tags = read.Tags }, read);
        Assert.Null(await Stores.Devices.GetAsync("cam-2", Timeout));
    }

    [Fact]
    public async Task Lists_devices_by_id()
    {
        foreach (var id in new[] { "cam-3", "cam-1", "cam-2" })
        {
            await Stores.Devices.AddAsync(Device(id), Timeout);
        }

        Assert.Equal(["cam-1", "cam-2", "cam-3"], (await Stores.Devices.ListAsync(Timeout)).Select(d => d.Id));
    }

    [Fact]
    public async Task Sets_the_active_model_only_when_the_report_says_active()
    {
        await Stores.Devices.AddAsync(Device("cam-1") with { ActiveModel = "crack-detector:v1" }, Timeout);

        await Stores.Devices.RecordReportAsync(
            new DeviceReport("cam-1", 4, "crack-detector:v2", "warming", "loading", "cuda", "1.2.0", T0.AddMinutes(1)), Timeout);
        var warming = await Stores.Devices.GetAsync("cam-1", Timeout);
        await Stores.Devices.RecordReportAsync(
            new DeviceReport("cam-1", 4, "crack-detector:v2", "active", null, null, null, T0.AddMinutes(2)), Timeout);
        var active = await Stores.Devices.GetAsync("cam-1", Timeout);

        Assert.Equal(
            ("crack-detector:v1", "crack-detector:v2", "warming", "loading", 4L, "cuda", "1.2.0", T0.AddMinutes(1), T0.AddMinutes(1)),
            (warming!.ActiveModel, warming.ReportedModel, warming.ReportedState, warming.ReportedReason, warming.ReportedRevision,
                warming.ExecutionProvider, warming.AgentVersion, warming.LastReportAt, warming.LastSeenAt));
        Assert.Equal(
            ("crack-detector:v2", "active", (string?)null, "cuda", "1.2.0", T0.AddMinutes(2)),
            (active!.ActiveModel, active.ReportedState, active.ReportedReason, active.ExecutionProvider, active.AgentVersion, active.LastReportAt));
    }

    [Fact]
    public async Task Keeps_the_manifest_fields_an_agent_reads_until_a_connection_names_others()
    {
        await Stores.Devices.AddAsync(Device("cam-1"), ["name", "input"], Timeout);
        await Stores.Devices.AddAsync(Device("cam-2"), ["name", "input"], Timeout);
        await Stores.Devices.AddAsync(Device("cam-3"), Timeout);

        var enrolled = await Stores.Devices.ManifestFieldsAsync(Timeout);
        // An older agent says nothing about them when it connects: what the device said before stands.
        await Stores.Devices.TouchAsync("cam-1", T0.AddMinutes(1), [], Timeout);
        var unchanged = await Stores.Devices.ManifestFieldsAsync(Timeout);
        await Stores.Devices.TouchAsync("cam-1", T0.AddMinutes(2), ["name", "input", "explanation"], Timeout);
        var updated = await Stores.Devices.ManifestFieldsAsync(Timeout);

        Assert.Equal(["cam-1", "cam-2"], enrolled.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["name", "input"], enrolled["cam-1"]);
        // One list parsed once for the devices that share it.
        Assert.Same(enrolled["cam-1"], enrolled["cam-2"]);
        Assert.Equal(["name", "input"], unchanged["cam-1"]);
        Assert.Equal(["name", "input", "explanation"], updated["cam-1"]);
        Assert.Equal(["name", "input"], updated["cam-2"]);
    }

    [Fact]
    public async Task A_device_that_unloaded_its_model_runs_none()
    {
        await Stores.Devices.AddAsync(Device("cam-1") with { ActiveModel = "crack-detector:v1" }, Timeout);

        await Stores.Devices.RecordReportAsync(new DeviceReport("cam-1", 5, null, "nomodel", null, null, null, T0.AddMinutes(1)), Timeout);

        var device = await Stores.Devices.GetAsync("cam-1", Timeout);
        Assert.Equal(((string?)null, "nomodel"), (device!.ActiveModel, device.ReportedState));
    }

    [Fact]
    public async Task Touch_moves_only_the_last_seen_time()
    {
        await Stores.Devices.AddAsync(Device("cam-1"), Timeout);

        await Stores.Devices.TouchAsync("cam-1", T0.AddHours(1), [], Timeout);

        var read = await Stores.Devices.GetAsync("cam-1", Timeout);
        Assert.Equal(T0.AddHours(1), read!.LastSeenAt);
        Assert.Null(read.LastReportAt);
    }

    private static DeviceRecord Device(string id) => new(
        id,
        "secret-hash",
        new Dictionary<string, string> { ["site"] = "lyon", ["line"] = "3" },
        T0,
        $"{id}.local",
        "1.0.0",
        null,
        null,
        null,
        null,
        null,
        0,
        null,
        null);
}
