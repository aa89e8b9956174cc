namespace EdgeMl.Fleet.Drift;

/// <summary>
/// Benjamini-Hochberg step-up procedure: which of many tests to call discoveries so that the expected share of
/// false ones among them stays at or below the rate. With a hundred cameras tested every minute, a plain 5 % level
/// would flag five unchanged cameras each time.
/// </summary>
internal static class BenjaminiHochberg
{
    public static bool[] Discoveries(IReadOnlyList<double> pValues, double falseDiscoveryRate)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var order = Enumerable.Range(0, pValues.Count).OrderBy(i => pValues[i]).ToArray();
        var cut = -1;
        for (var rank = 0; rank < order.Length; rank++)
        {
            if (pValues[order[rank]] <= falseDiscoveryRate * (rank + 1) / order.Length)
            {
                cut = rank;
            }
        }

        var discoveries = new bool[pValues.Count];
        for (var rank = 0; rank <= cut; rank++)
        {
            discoveries[order[rank]] = true;
        }

        return discoveries;
    }
}
