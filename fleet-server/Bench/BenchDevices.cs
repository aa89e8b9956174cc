using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Bench;

/// <summary>The simulated devices: ids <c>bench-00001</c>..., tagged <c>site=bench</c>, with secrets the benchmark knows.</summary>
internal static class BenchDevices
{
    public const string Selector = "site=bench";

    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal) { ["site"] = "bench" };

    public static string Id(int index) => $"bench-{index + 1:D5}";

    public static string Secret(int index) => $"bench-secret-{index + 1:D5}";

    /// <summary>
    /// Writes the devices straight into the data directory's database before the server starts, each with an
    /// empty desired state: the server then answers every new watch stream at once, which tells a client it is connected.
    /// </summary>
    public static async Task SeedAsync(string dataDirectory, int count, CancellationToken cancellationToken)
    {
        var database = FleetDatabase.Sqlite(Path.Combine(dataDirectory, "fleet.db"));
        await using (database)
        {
            var stores = await FleetStores.OpenAsync(database, cancellationToken);
            var now = DateTimeOffset.UtcNow;
            // One commit per thousand devices: a commit each (an fsync each) made seeding 50,000 take minutes.
            foreach (var chunk in Enumerable.Range(0, count).Chunk(1000))
            {
                await database.InTransactionAsync(
                    async transaction =>
                    {
                        foreach (var i in chunk)
                        {
                            await DeviceStore.AddAsync(
                                transaction, new DeviceRecord(Id(i), Secrets.Hash(Secret(i)), Tags, now, Id(i), "bench", null, null, null, null, null, 0, null, null),
                                ManifestFields.Known, cancellationToken);
                        }
                    },
                    cancellationToken);
            }
            var empty = Enumerable.Range(0, count).Select(i => new DesiredStateChange(Id(i), null, null, null, false, false)).ToList();
            await stores.DesiredStates.SetManyAsync(empty, now, cancellationToken);
        }
    }
}
