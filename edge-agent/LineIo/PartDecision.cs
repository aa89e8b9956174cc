namespace EdgeMl.Agent.LineIo;

/// <summary>The decision for the part a trigger announced; the wiring turns a frame's outcome into this.</summary>
public readonly record struct PartDecision(long PartId, LineDecision Decision);
