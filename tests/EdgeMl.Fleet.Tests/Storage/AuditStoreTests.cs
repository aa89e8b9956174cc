using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class AuditStoreTests : StoreTests
{
    [Fact]
    public async Task Lists_entries_newest_first_and_entries_of_the_same_time_in_reverse_append_order()
    {
        var entries = new[]
        {
            new AuditRecord(T0, "admin", "model.push", "m:v1", "first"),
            new AuditRecord(T0.AddSeconds(5), "admin", "rollout.start", "r-1", "later"),
            new AuditRecord(T0, "admin", "model.push", "m:v2", "second"),
            new AuditRecord(T0, "admin", "model.push", "m:v3", "third"),
        };
        foreach (var entry in entries)
        {
            await Stores.Audit.AppendAsync(entry, Timeout);
        }

        var listed = await Stores.Audit.ListAsync(10, Timeout);

        Assert.Equal(["later", "third", "second", "first"], listed.Select(e => e.Detail));
        Assert.Equal(entries[1], listed[0]);
    }

    [Fact]
    public async Task Lists_at_most_the_requested_number_of_entries()
    {
        for (var i = 0; i < 5; i++)
        {
            await Stores.Audit.AppendAsync(new AuditRecord(T0.AddSeconds(i), "admin", "device.enrol", $"cam-{i}", ""), Timeout);
        }

        Assert.Equal(["cam-4", "cam-3"], (await Stores.Audit.ListAsync(2, Timeout)).Select(e => e.Subject));
    }
}
