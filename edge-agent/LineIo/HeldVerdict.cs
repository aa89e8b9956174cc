namespace EdgeMl.Agent.LineIo;

/// <summary>A person's verdict on a part waiting in the hold lane.</summary>
public enum HeldVerdict
{
    Release,
    Scrap,
}
