using EdgeMl.Fleet.Rollouts;

namespace EdgeMl.Fleet.Tests.Rollouts;

public sealed class WavePlanTests
{
    [Theory]
    [InlineData(20, new[] { 1, 2, 10, 20 })]
    [InlineData(3, new[] { 1, 1, 2, 3 })]
    [InlineData(1, new[] { 1, 1, 1, 1 })]
    public void Turns_wave_sizes_into_cumulative_device_counts(int devices, int[] expected)
    {
        var plan = WavePlan.Parse(["1", "10%", "50%", "100%"]);

        Assert.Equal(expected, Enumerable.Range(0, plan.Count).Select(w => plan.CumulativeCount(w, devices)));
    }

    [Fact]
    public void Orders_devices_the_same_way_every_time_and_differently_per_rollout()
    {
        var devices = Enumerable.Range(0, 50).Select(i => $"dev-{i:x4}").ToList();

        var first = WavePlan.Order("r-1", devices);
        var again = WavePlan.Order("r-1", devices.AsEnumerable().Reverse());
        var other = WavePlan.Order("r-2", devices);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(devices.Order(StringComparer.Ordinal), first.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Keeps_the_order_rollouts_started_before_were_planned_in()
    {
        // A restarted server must pick the same next wave: the order stays that of the hash's hex text.
        var devices = Enumerable.Range(0, 500).Select(i => $"dev-{i:x4}").ToList();

        var hexOrder = devices.OrderBy(
            id => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("r-1/" + id))), StringComparer.Ordinal);

        Assert.Equal(hexOrder, WavePlan.Order("r-1", devices));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("150%")]
    [InlineData("ten")]
    public void Refuses_a_wave_size_that_is_neither_a_count_nor_a_percentage(string size)
    {
        var error = Assert.Throws<ArgumentException>(() => WavePlan.Parse([size]));

        Assert.Contains(size, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Selector_matches_devices_that_have_every_listed_tag()
    {
        var selector = TagSelector.Parse("site=a, line=3");

        Assert.True(selector.Matches(new Dictionary<string, string> { ["site"] = "a", ["line"] = "3", ["hw"] = "jetson" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["site"] = "a", ["line"] = "4" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["site"] = "a" }));
        Assert.True(TagSelector.Parse("").Matches(new Dictionary<string, string>()));
        Assert.Throws<ArgumentException>(() => TagSelector.Parse("site"));
    }
}
