namespace EdgeMl.Fleet.Storage;

/// <summary>What became of a verdict an inspector gave.</summary>
internal enum VerdictOutcome
{
    Recorded,
    UnknownCase,

    /// <summary>Another inspector decided it first.</summary>
    AlreadyReviewed,

    /// <summary>This inspector already gave a verdict on it (an "unsure" earlier).</summary>
    AlreadyGiven,
}
