namespace EdgeMl.Fleet.Tests.Storage;

public abstract class EnrolmentTokenStoreTests : StoreTests
{
    [Fact]
    public async Task Consumes_a_token_only_once()
    {
        await Stores.Tokens.AddAsync("hash-1", T0, T0.AddHours(1), Timeout);

        Assert.True(await Stores.Tokens.TryConsumeAsync("hash-1", "cam-1", T0.AddMinutes(1), Timeout));
        Assert.False(await Stores.Tokens.TryConsumeAsync("hash-1", "cam-2", T0.AddMinutes(2), Timeout));
    }

    [Fact]
    public async Task Lets_exactly_one_of_eight_concurrent_enrolments_use_a_token()
    {
        await Stores.Tokens.AddAsync("hash-1", T0, T0.AddHours(1), Timeout);

        var results = await RunConcurrentlyAsync(8, i => Stores.Tokens.TryConsumeAsync("hash-1", $"cam-{i}", T0.AddMinutes(1), Timeout));

        Assert.Single(results, consumed => consumed);
    }

    [Fact]
    public async Task Refuses_an_expired_or_unknown_token()
    {
        await Stores.Tokens.AddAsync("hash-1", T0, T0.AddHours(1), Timeout);

        Assert.False(await Stores.Tokens.TryConsumeAsync("hash-1", "cam-1", T0.AddHours(1), Timeout));
        Assert.False(await Stores.Tokens.TryConsumeAsync("hash-2", "cam-1", T0, Timeout));
    }
}
