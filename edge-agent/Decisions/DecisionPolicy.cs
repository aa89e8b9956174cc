using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Decisions;

/// <summary>Per-label thresholds: a frame is decided automatically when its top label's probability reaches that label's threshold.</summary>
public sealed class DecisionPolicy
{
    private readonly double[] _thresholds;

    public DecisionPolicy(ModelManifest manifest)
    {
        var labels = manifest.Output.Labels;
        _thresholds = labels.Select(l => manifest.Decision.Thresholds[l]).ToArray();
    }

    public Verdict Decide(ReadOnlySpan<float> probabilities)
    {
        var top = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[top])
            {
                top = i;
            }
        }

        var confidence = probabilities[top];
        var decision = float.IsFinite(confidence) && confidence >= _thresholds[top] ? Decision.Auto : Decision.Escalate;
        return new Verdict(top, confidence, decision);
    }
}
