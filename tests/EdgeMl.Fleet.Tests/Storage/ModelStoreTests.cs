using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class ModelStoreTests : StoreTests
{
    [Fact]
    public async Task Numbers_versions_per_name_in_the_order_they_are_added()
    {
        var v1 = await AddAsync("crack-detector", "v1");
        var v2 = await AddAsync("crack-detector", "v2");
        var other = await AddAsync("scratch-detector", "v9");

        Assert.Equal([1L, 2L, 1L], new[] { v1.Sequence, v2.Sequence, other.Sequence });
    }

    [Fact]
    public async Task Refuses_a_second_model_with_the_same_version_without_sealing_it()
    {
        var first = await AddAsync("crack-detector", "v1");
        var sealedAgain = false;

        var refused = await Assert.ThrowsAsync<DuplicateModelException>(() => Stores.Models.AddAsync(
            "crack-detector",
            "v1",
            sequence =>
            {
                sealedAgain = true;
                return Task.FromResult(Model("crack-detector", "v1", sequence) with { ModelSha256 = "other" });
            },
            Timeout));

        Assert.Contains("crack-detector:v1", refused.Message, StringComparison.Ordinal);
        Assert.False(sealedAgain);
        Assert.Equal(first, await Stores.Models.GetAsync("crack-detector", "v1", Timeout));
        Assert.Single(await Stores.Models.ListAsync("crack-detector", Timeout));
    }

    [Fact]
    public async Task Stores_nothing_when_sealing_fails()
    {
        await Assert.ThrowsAsync<IOException>(() => Stores.Models.AddAsync("crack-detector", "v1", _ => throw new IOException("disk full"), Timeout));

        Assert.Empty(await Stores.Models.ListAsync(null, Timeout));
        Assert.Equal(1L, (await AddAsync("crack-detector", "v1")).Sequence);
    }

    [Fact]
    public async Task Reads_back_a_model_as_it_was_added()
    {
        var added = await Stores.Models.AddAsync("crack-detector", "v1", sequence => Task.FromResult(Model("crack-detector", "v1", sequence) with { PushedAt = T0.AddTicks(1234) }), Timeout);

        var read = await Stores.Models.GetAsync("crack-detector", "v1", Timeout);

        Assert.Equal(added, read);
        Assert.Equal(T0, read!.PushedAt);
        Assert.Null(await Stores.Models.GetAsync("crack-detector", "v2", Timeout));
    }

    [Fact]
    public async Task Lists_models_by_name_then_sequence()
    {
        foreach (var (name, version) in new[] { ("b", "v1"), ("a", "v1"), ("b", "v0"), ("a", "v3") })
        {
            await AddAsync(name, version);
        }

        var all = await Stores.Models.ListAsync(null, Timeout);
        var onlyB = await Stores.Models.ListAsync("b", Timeout);

        Assert.Equal(["a:v1", "a:v3", "b:v1", "b:v0"], all.Select(m => m.Id));
        Assert.Equal(["b:v1", "b:v0"], onlyB.Select(m => m.Id));
    }

    [Fact]
    public async Task Gives_concurrent_pushes_of_one_name_distinct_sequences()
    {
        var added = await RunConcurrentlyAsync(8, i => AddAsync("crack-detector", $"v{i}"));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), added.Select(m => m.Sequence).Order());
    }

    private Task<ModelRecord> AddAsync(string name, string version) =>
        Stores.Models.AddAsync(name, version, sequence => Task.FromResult(Model(name, version, sequence)), Timeout);

    private static ModelRecord Model(string name, string version, long sequence) =>
        new(name, version, sequence, $"sha-{name}-{version}", "bundle-sha", 1024, T0, "admin", "{\"name\":\"" + name + "\"}");
}
