namespace EdgeMl.Agent.Outcomes;

/// <summary>Which model version produced a result.</summary>
public readonly record struct ModelVersionId(string Name, string Version)
{
    public override string ToString() => $"{Name}:{Version}";
}
