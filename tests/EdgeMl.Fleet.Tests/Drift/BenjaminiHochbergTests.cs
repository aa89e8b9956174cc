using EdgeMl.Fleet.Drift;

namespace EdgeMl.Fleet.Tests.Drift;

public sealed class BenjaminiHochbergTests
{
    [Fact]
    public void Rejects_up_to_the_largest_rank_whose_p_value_is_under_its_step()
    {
        // Steps at q = 0.05 over 5 tests: 0.01, 0.02, 0.03, 0.04, 0.05. The third p-value (0.035) is over its step,
        // the fourth (0.039) under its own, so the first four are discoveries: the step-up procedure, not step-down.
        var discoveries = BenjaminiHochberg.Discoveries([0.039, 0.001, 0.5, 0.035, 0.012], 0.05);

        Assert.Equal([true, true, false, true, true], discoveries);
    }

    [Fact]
    public void A_p_value_significant_alone_is_not_a_discovery_among_many_unremarkable_cameras()
    {
        var alone = BenjaminiHochberg.Discoveries([0.004], 0.01);
        var amongMany = BenjaminiHochberg.Discoveries([0.004, .. Enumerable.Range(1, 99).Select(i => i / 100.0)], 0.01);

        Assert.True(alone[0]);
        Assert.DoesNotContain(true, amongMany);
    }
}
