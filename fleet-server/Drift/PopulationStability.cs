namespace EdgeMl.Fleet.Drift;

/// <summary>Population stability index of binned counts: sum over bins of (a - e) ln(a / e), on shares.</summary>
internal static class PopulationStability
{
    // Half a count added to every bin: an empty bin on one side would otherwise make the index infinite,
    // and a reference of a few hundred frames leaves tail bins empty by chance.
    private const double Smoothing = 0.5;

    public static double Index(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"{expected.Length} expected bins against {actual.Length} actual ones", nameof(actual));
        }

        var expectedTotal = Sum(expected) + (Smoothing * expected.Length);
        var actualTotal = Sum(actual) + (Smoothing * actual.Length);
        var index = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = (expected[i] + Smoothing) / expectedTotal;
            var a = (actual[i] + Smoothing) / actualTotal;
            index += (a - e) * Math.Log(a / e);
        }

        return index;
    }

    public static double Sum(ReadOnlySpan<double> counts)
    {
        var sum = 0.0;
        foreach (var count in counts)
        {
            sum += count;
        }

        return sum;
    }
}
