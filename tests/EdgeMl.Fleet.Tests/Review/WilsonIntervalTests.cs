using EdgeMl.Fleet.Review;

namespace EdgeMl.Fleet.Tests.Review;

public sealed class WilsonIntervalTests
{
    [Fact]
    public void Matches_the_textbook_interval_and_stays_inside_zero_to_one()
    {
        var half = WilsonInterval.Of(5, 10)!;
        var none = WilsonInterval.Of(0, 20)!;

        // 5 of 10: 0.2366..0.7634; 0 of 20: 0..0.1611 (Wilson 1927, z = 1.96).
        Assert.Equal((0.2366, 0.7634), (Math.Round(half.Low, 4), Math.Round(half.High, 4)));
        Assert.Equal((0.0, 0.1611), (Math.Round(none.Low, 4), Math.Round(none.High, 4)));
        Assert.Null(WilsonInterval.Of(0, 0));
    }
}
