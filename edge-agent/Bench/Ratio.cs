namespace EdgeMl.Agent.Bench;

/// <summary>Every figure the benchmark divides out: null, not Infinity or NaN, when there was nothing to divide by (JSON has neither, and a loaded machine can finish a phase with zero frames or zero elapsed ticks).</summary>
internal static class Ratio
{
    public static double? Of(double? numerator, double? denominator)
    {
        if (numerator is not { } n || denominator is not { } d || d == 0)
        {
            return null;
        }

        var ratio = n / d;
        return double.IsFinite(ratio) ? ratio : null;
    }
}
