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

        async Task<IEnumerable<string>> Ids(TelemetryQuery query) =>
            (await Stores.Telemetry.ListAsync(query, Timeout)).Select(r => r.Aggregate.MessageId);

        Assert.Equal(["a", "c", "d", "e"], await Ids(new TelemetryQuery { DeviceIds = ["d1"] }));
        Assert.Empty(await Ids(new TelemetryQuery { DeviceIds = [] }));
        Assert.Equal(["c"], await Ids(new TelemetryQuery { ModelVersion = "v2" }));
        Assert.Equal(["d"], await Ids(new TelemetryQuery { Role = ModelRole.Shadow }));
        Assert.Equal(["b", "c"], await Ids(new TelemetryQuery { Since = T0, Until = T0.AddSeconds(20) }));
        Assert.Equal(["d", "e"], await Ids(new TelemetryQuery { Limit = 2 }));
    }

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
