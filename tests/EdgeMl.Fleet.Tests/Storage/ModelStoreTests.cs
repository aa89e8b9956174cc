using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class ModelStoreTests : StoreTests
{
    [Fact]
    public async Task Numbers_versions_per_name_in_the_order_they_are_added()
    {
        var v1 = await Stores.Models.AddAsync(Model("crack-detector", "v1", sequence: 42), Timeout);
        var v2 = await Stores.Models.AddAsync(Model("crack-detector", "v2", sequence: 7), Timeout);
        var other = await Stores.Models.AddAsync(Model("scratch-detector", "v9"), Timeout);

        Assert.Equal([1L, 2L, 1L], new[] { v1.Sequence, v2.Sequence, other.Sequence });
    }

    [Fact]
    public async Task Refuses_a_second_model_with_the_same_version()
    {
        var first = await Stores.Models.AddAsync(Model("crack-detector", "v1"), Timeout);

        var refused = await Assert.ThrowsAsync<DuplicateModelException>(
            () => Stores.Models.AddAsync(Model("crack-detector", "v1") with { ModelSha256 = "other" }, Timeout));

        Assert.Contains("crack-detector:v1", refused.Message, StringComparison.Ordinal);
        Assert.Equal(first, await Stores.Models.GetAsync("crack-detector", "v1", Timeout));
        Assert.Single(await Stores.Models.ListAsync("crack-detector", Timeout));
    }

    [Fact]
    public async Task Reads_back_a_model_as_it_was_added()
    {
        var added = await Stores.Models.AddAsync(Model("crack-detector", "v1") with { PushedAt = T0.AddTicks(1234) }, Timeout);

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
            await Stores.Models.AddAsync(Model(name, version), Timeout);
        }

        var all = await Stores.Models.ListAsync(null, Timeout);
        var onlyB = await Stores.Models.ListAsync("b", Timeout);

        Assert.Equal(["a:v1", "a:v3", "b:v1", "b:v0"], all.Select(m => m.Id));
        Assert.Equal(["b:v1", "b:v0"], onlyB.Select(m => m.Id));
    }

    [Fact]
    public async Task Gives_concurrent_pushes_of_one_name_distinct_sequences()
    {
        var added = await RunConcurrentlyAsync(8, i => Stores.Models.AddAsync(Model("crack-detector", $"v{i}"), Timeout));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), added.Select(m => m.Sequence).Order());
    }

    private static ModelRecord Model(string name, string version, long sequence = 0) =>
        new(name, version, sequence, $"sha-{name}-{version}", "bundle-sha", 1024, T0, "admin", "{\"name\":\"" + name + "\"}");
}
