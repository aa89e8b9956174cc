namespace EdgeMl.Fleet.Storage;

/// <summary>Narrows the review queue; a null field matches every case.</summary>
internal sealed record CaseFilter(string? Site = null, string? Line = null, string? ModelVersion = null)
{
    public static CaseFilter All { get; } = new();
}
