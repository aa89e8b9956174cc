namespace EdgeMl.Agent.LineIo;

/// <summary>The level change of the part-present sensor that means a part arrived.</summary>
public enum TriggerEdge
{
    Rising,
    Falling,
}
