namespace EdgeMl.Fleet.Drift;

/// <summary>
/// Two-sample Kolmogorov-Smirnov test on binned counts: the largest gap between the two cumulative shares at
/// the bin edges, and its p-value from the asymptotic Kolmogorov distribution. On bins the gap can only be
/// smaller than on the raw values, so the test errs towards "no drift".
/// </summary>
internal static class KolmogorovSmirnov
{
    public static double Statistic(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"{expected.Length} expected bins against {actual.Length} actual ones", nameof(actual));
        }

        var expectedTotal = PopulationStability.Sum(expected);
        var actualTotal = PopulationStability.Sum(actual);
        double e = 0, a = 0, gap = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            e += expected[i];
            a += actual[i];
            gap = Math.Max(gap, Math.Abs((e / expectedTotal) - (a / actualTotal)));
        }

        return gap;
    }

    /// <summary>The probability of a gap at least <paramref name="statistic"/> between samples of these sizes drawn from one distribution.</summary>
    public static double PValue(double statistic, double expectedSize, double actualSize)
    {
        if (expectedSize <= 0 || actualSize <= 0)
        {
            return 1;
        }

        var effective = expectedSize * actualSize / (expectedSize + actualSize);
        var root = Math.Sqrt(effective);
        // Stephens' small-sample correction of the argument (Numerical Recipes, 14.3).
        var lambda = (root + 0.12 + (0.11 / root)) * statistic;
        return Kolmogorov(lambda);
    }

    // Q(λ) = 2 Σ (-1)^(k-1) exp(-2 k² λ²), which converges fast except near 0, where Q is 1.
    private static double Kolmogorov(double lambda)
    {
        if (lambda < 0.2)
        {
            return 1;
        }

        var sum = 0.0;
        var sign = 1.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = sign * Math.Exp(-2 * k * k * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12)
            {
                break;
            }

            sign = -sign;
        }

        return Math.Clamp(2 * sum, 0, 1);
    }
}
