using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Decisions;

/// <summary>
/// Turns one frame's probabilities into a verdict: the model's bands (from the manifest, or the device's
/// override) say pass, escalate or reject; the automation level says whether the model or a person decides;
/// a share of automatic decisions is audited.
/// </summary>
public sealed class DecisionPolicy
{
    private readonly string _modelId;
    private readonly AutomationLevel _automation;
    private readonly double _auditShare;
    private readonly int _pass;
    private readonly double[]? _thresholds;
    private readonly bool _byBands;
    private readonly int _bandLabel;
    // Probabilities are floats: a band of 0.9 must hold a probability of 0.9f, which is a little below 0.9 as a double.
    private readonly float _lower;
    private readonly float _upper;

    /// <exception cref="ModelPackageException">The device's band override does not fit this model's labels.</exception>
    public DecisionPolicy(ModelManifest manifest, DecisionOptions options)
    {
        var labels = manifest.Output.Labels;
        _modelId = manifest.Id;
        _automation = options.Automation;
        _auditShare = options.AuditShare;
        if (options.Bands is { } overridden)
        {
            var problems = new List<string>();
            ManifestValidator.ValidateBands(overridden, "Decisions:Bands", labels, problems);
            if (problems.Count > 0)
            {
                throw new ModelPackageException($"this device's Decisions:Bands do not fit {manifest.Id}: {string.Join("; ", problems)}");
            }
        }

        if ((options.Bands ?? manifest.Decision.Bands) is { } bands)
        {
            _byBands = true;
            _bandLabel = Array.IndexOf(labels, bands.Label);
            _pass = 1 - _bandLabel;
            _lower = (float)bands.Lower;
            _upper = (float)bands.Upper;
        }
        else
        {
            _thresholds = labels.Select(l => manifest.Decision.Thresholds![l]).ToArray();
            _pass = manifest.Decision.PassLabel is { } pass ? Array.IndexOf(labels, pass) : 0;
        }
    }

    public Verdict Decide(ReadOnlySpan<float> probabilities, string frameId)
    {
        var (label, band) = Classify(probabilities);
        var confidence = probabilities[label];
        var decision = _automation switch
        {
            AutomationLevel.Partial when band is Band.Escalate => Decision.Escalate,
            AutomationLevel.Partial or AutomationLevel.Full => AuditSampler.IsSampled(_modelId, frameId, _auditShare) ? Decision.Audit : Decision.Auto,
            _ => Decision.Escalate,
        };
        return new Verdict(label, confidence, decision, band, _automation);
    }

    /// <summary>The index of the highest probability; the first of equals.</summary>
    public static int TopLabel(ReadOnlySpan<float> probabilities)
    {
        var top = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[top])
            {
                top = i;
            }
        }

        return top;
    }

    /// <summary>The suggested label and its band; scores that are not numbers are never confident.</summary>
    private (int Label, Band Band) Classify(ReadOnlySpan<float> probabilities)
    {
        if (_byBands)
        {
            var p = probabilities[_bandLabel];
            return p switch
            {
                _ when p <= _lower => (_pass, Band.Pass),
                _ when p >= _upper => (_bandLabel, Band.Reject),
                _ => (TopLabel(probabilities), Band.Escalate),
            };
        }

        var top = TopLabel(probabilities);
        var confident = float.IsFinite(probabilities[top]) && probabilities[top] >= _thresholds![top];
        return (top, !confident ? Band.Escalate : top == _pass ? Band.Pass : Band.Reject);
    }
}
