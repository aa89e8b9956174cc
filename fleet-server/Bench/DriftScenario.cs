namespace EdgeMl.Fleet.Bench;

/// <summary>A change the drift benchmark puts on some cameras: brightness moved by <see cref="Offset"/>(windows since the change).</summary>
internal sealed record DriftScenario(string Name, Func<int, double> Offset)
{
    public static IReadOnlyList<DriftScenario> All { get; } =
    [
        new("sudden: brightness -25 at once", _ => -25),
        new("gradual: brightness -0.25 per window", w => -0.25 * (w + 1)),
    ];
}
