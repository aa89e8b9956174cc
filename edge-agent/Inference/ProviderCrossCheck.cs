namespace EdgeMl.Agent.Inference;

/// <summary>
/// Scores the same inputs with a reference and a candidate and reports the largest difference in any
/// label's probability. The inputs must differ from each other: a candidate that keeps scoring a stale
/// input (a binding copied once) then disagrees on every input after the first.
/// </summary>
internal sealed class ProviderCrossCheck
{
    private readonly double _tolerance;

    public ProviderCrossCheck(double tolerance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        _tolerance = tolerance;
    }

    public CrossCheckResult Compare(Action<float[], float[]> reference, Action<float[], float[]> candidate, IReadOnlyList<float[]> inputs, int labels)
    {
        var expected = new float[labels];
        var actual = new float[labels];
        var largest = 0.0;
        foreach (var input in inputs)
        {
            reference(input, expected);
            candidate(input, actual);
            for (var i = 0; i < labels; i++)
            {
                var difference = Math.Abs((double)expected[i] - actual[i]);
                // NaN from either side is a disagreement, never a pass.
                largest = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(largest, difference);
            }
        }

        return new CrossCheckResult(largest, inputs.Count, largest <= _tolerance);
    }
}
