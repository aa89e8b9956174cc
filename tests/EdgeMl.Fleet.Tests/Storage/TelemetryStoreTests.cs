using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class TelemetryStoreTests : StoreTests
{
    [Fact]
    public async Task Stores_each_message_id_once_and_counts_only_the_new_ones()
    {
        var first = await Stores.Telemetry.AddAsync([Record("d1", "m-1", T0), Record("d1", "m-2", T0.AddSeconds(10))], Timeout);
        var repeat = await Stores.Telemetry.AddAsync([Record("d1", "m-2", T0.AddSeconds(10)), Record("d1", "m-3", T0.AddSeconds(20))], Timeout);

        var stored = await Stores.Telemetry.ListAsync(new TelemetryQuery(), Timeout);
        Assert.Equal((2, 1), (first, repeat));
        Assert.Equal(["m-1", "m-2", "m-3"], stored.Select(r => r.Aggregate.MessageId));
        Assert.Equal(40UL, stored[0].Aggregate.Frames);
        Assert.Equal(3UL, stored[0].Aggregate.EndToEndLatencyUs.Counts[0]);
    }

    [Fact]
    public async Task A_message_id_that_comes_twice_in_one_batch_is_stored_once()
    {
        // Ids repeat within the batch, also 100 records apart.
        var batch = Enumerable.Range(0, 150).Select(i => Record("d1", $"m-{i % 100:D3}", T0.AddSeconds(10 * (i % 100)))).ToList();

        var added = await Stores.Telemetry.AddAsync(batch, Timeout);
        var again = await Stores.Telemetry.AddAsync([Record("d1", "m-000", T0), Record("d1", "m-000", T0)], Timeout);

        var stored = await Stores.Telemetry.ListAsync(new TelemetryQuery { Limit = 1000 }, Timeout);
        Assert.Equal((100, 0), (added, again));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"m-{i:D3}"), stored.Select(r => r.Aggregate.MessageId));
    }

    [Fact]
    public async Task A_batch_that_fails_at_its_last_record_stores_none_of_it()
    {
        var batch = Enumerable.Range(0, 150).Select(i => Record("d1", $"m-{i:D3}", T0.AddSeconds(10 * i))).ToList();
        // A frame count the database cannot hold fails the last record, after the others were sent in the same transaction.
        batch[^1].Aggregate.Frames = ulong.MaxValue;

        await Assert.ThrowsAsync<OverflowException>(() => Stores.Telemetry.AddAsync(batch, Timeout));

        Assert.Empty(await Stores.Telemetry.ListAsync(new TelemetryQuery(), Timeout));
    }

    [Fact]
    public async Task Stores_the_bytes_a_record_arrived_with_rather_than_serialising_its_aggregate_again()
    {
        var record = Record("d1", "m-1", T0);
        // As the device sent it: the same aggregate with one more field the server's parse would have read too.
        var sent = record.Aggregate.Clone();
        sent.DroppedFrames = 7;

        await Stores.Telemetry.AddAsync([record with { Payload = sent.ToByteArray() }], Timeout);

        var stored = Assert.Single(await Stores.Telemetry.ListAsync(new TelemetryQuery(), Timeout));
        Assert.Equal(sent, stored.Aggregate);
    }

    [Fact]
    public async Task Filters_by_device_version_role_and_window_and_keeps_the_newest_within_the_limit()
    {
        await Stores.Telemetry.AddAsync(
            [
                Record("d1", "a", T0),
                Record("d2", "b", T0.AddSeconds(10)),
                Record("d1", "c", T0.AddSeconds(20), version: "v2"),
                Record("d1", "d", T0.AddSeconds(30), role: ModelRole.Shadow),
                Record("d1", "e", T0.AddSeconds(40)),
            ],
            Timeout);

        Assert.Equal(["a", "c", "d", "e"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d1"] }));
        Assert.Empty(await IdsAsync(new TelemetryQuery { DeviceIds = [] }));
        Assert.Equal(["c"], await IdsAsync(new TelemetryQuery { ModelVersion = "v2" }));
        Assert.Equal(["d"], await IdsAsync(new TelemetryQuery { Role = ModelRole.Shadow }));
        Assert.Equal(["b", "c"], await IdsAsync(new TelemetryQuery { Since = T0, Until = T0.AddSeconds(20) }));
        Assert.Equal(["d", "e"], await IdsAsync(new TelemetryQuery { Limit = 2 }));
    }

    [Fact]
    public async Task Finds_a_device_s_windows_whether_or_not_they_are_listed_by_device_yet()
    {
        // This writer lists by device only with its first batch (SQLite; PostgreSQL lists with every batch).
        await using (var writer = new TelemetryBatchWriter(Stores.Database, TimeSpan.MaxValue))
        {
            await writer.AddAsync([Record("d1", "a", T0), Record("d2", "b", T0)], Timeout);
            // The clock stepped back: what arrives now must still be listed later, not taken as listed already.
            await writer.AddAsync([Record("d1", "c", T0.AddSeconds(10)) with { ReceivedAt = T0.AddHours(-1) }, Record("d2", "d", T0.AddSeconds(10))], Timeout);
        }

        Assert.Equal(ListsWithEveryBatch ? 4 : 2, await ListedByDeviceAsync());
        Assert.Equal(["a", "c"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d1"] }));
        Assert.Equal(["b", "d"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d2"] }));
        Assert.Equal(["c"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d1"], Since = T0 }));

        // The next writer (a restarted server) lists what the last one left.
        await Stores.Telemetry.AddAsync([Record("d1", "e", T0.AddSeconds(20))], Timeout);

        Assert.Equal(5, await ListedByDeviceAsync());
        Assert.Equal(["a", "c", "e"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d1"] }));
        Assert.Equal(["b", "d"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d2"], Since = T0.AddSeconds(-10) }));
    }

    [Fact]
    public async Task Migration_011_lists_by_device_the_windows_stored_before_it()
    {
        await Stores.Telemetry.AddAsync([Record("d1", "a", T0), Record("d2", "b", T0), Record("d1", "c", T0.AddSeconds(10))], Timeout);
        // Back to the schema before migration 011, the windows still stored.
        await using (var connection = await Stores.Database.OpenAsync(Timeout))
        {
            await connection.CreateCommand(
                "DROP TABLE telemetry_device_windows; DROP TABLE telemetry_indexed; " +
                "CREATE INDEX telemetry_by_device ON telemetry_aggregates (device_id, window_end); DELETE FROM schema_migrations WHERE version = 11").ExecuteAsync(Timeout);
        }

        await SchemaMigrator.ApplyAsync(Stores.Database, TimeProvider.System, Timeout);

        Assert.Equal(3, await ListedByDeviceAsync());
        Assert.Equal(["a", "c"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d1"] }));
        Assert.Equal(["b"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d2"] }));
    }

    [Fact]
    public async Task A_message_id_taken_by_another_device_does_not_show_that_device_s_window()
    {
        await Stores.Telemetry.AddAsync([Record("d1", "m-1", T0)], Timeout);
        await Stores.Telemetry.AddAsync([Record("d2", "m-1", T0)], Timeout);

        Assert.Equal(["m-1"], await IdsAsync(new TelemetryQuery { DeviceIds = ["d1"] }));
        Assert.Empty(await IdsAsync(new TelemetryQuery { DeviceIds = ["d2"] }));
    }

    /// <summary>Whether a batch's windows are listed by device in its own transaction.</summary>
    private protected abstract bool ListsWithEveryBatch { get; }

    private async Task<long> ListedByDeviceAsync()
    {
        await using var connection = await Stores.Database.OpenAsync(Timeout);
        await using var count = connection.CreateCommand("SELECT COUNT(*) FROM telemetry_device_windows");
        return Convert.ToInt64(await count.ExecuteScalarAsync(Timeout), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IEnumerable<string>> IdsAsync(TelemetryQuery query) =>
        (await Stores.Telemetry.ListAsync(query, Timeout)).Select(r => r.Aggregate.MessageId);

    private protected static TelemetryRecord Record(string device, string id, DateTimeOffset end, string version = "v1", ModelRole role = ModelRole.Active)
    {
        var aggregate = new ModelAggregate
        {
            MessageId = id,
            WindowStart = Timestamp.FromDateTimeOffset(end.AddSeconds(-10)),
            WindowEnd = Timestamp.FromDateTimeOffset(end),
            Role = role,
            ModelName = "crack-detector",
            ModelVersion = version,
            Frames = 40,
            Decisions = new DecisionCounts { Auto = 30, Escalate = 8, Error = 2 },
            EndToEndLatencyUs = new BucketCounts { Layout = BucketLayout.LatencyMicroseconds.Id, Offset = 100, Counts = { 3, 37 } },
        };
        return new TelemetryRecord(device, end, aggregate);
    }
}
