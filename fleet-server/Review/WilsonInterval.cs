namespace EdgeMl.Fleet.Review;

/// <summary>
/// A share with its 95 % Wilson score interval: unlike the normal approximation it stays inside 0..1 and
/// is honest for the small counts and shares near 0 that audit samples produce.
/// </summary>
internal sealed record WilsonInterval(long Successes, long Trials, double Share, double Low, double High)
{
    private const double Z = 1.959964;

    /// <summary>The interval, or null without a single trial (no figure is better than a made-up one).</summary>
    public static WilsonInterval? Of(long successes, long trials)
    {
        if (trials <= 0)
        {
            return null;
        }

        var p = (double)successes / trials;
        var z2 = Z * Z;
        var denominator = 1 + (z2 / trials);
        var centre = (p + (z2 / (2 * trials))) / denominator;
        var half = Z * Math.Sqrt((p * (1 - p) / trials) + (z2 / (4.0 * trials * trials))) / denominator;
        return new WilsonInterval(successes, trials, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
