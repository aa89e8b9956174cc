namespace EdgeMl.Fleet.Storage;

/// <summary>How many cases of one model version share a decision, model call and verdict (null: still open).</summary>
internal sealed record CaseTally(string ModelName, string ModelVersion, string Decision, string ModelCall, string? Verdict, long Count);
