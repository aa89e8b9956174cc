namespace EdgeMl.Agent.LineIo;

/// <summary>
/// GPIO pins and timing of the line (section <c>LineIo</c>, <c>EDGEML_LINEIO__*</c>); off unless <see cref="Enabled"/>.
/// Pin numbers are the GPIO chip's line offsets.
/// </summary>
public sealed class LineIoOptions
{
    public const string Section = "LineIo";

    /// <summary>Drives the line over GPIO; off, the agent only scores.</summary>
    public bool Enabled { get; set; }

    /// <summary>GPIO chip (gpiochipN, through libgpiod); null lets System.Device.Gpio pick the board's driver.</summary>
    public int? Chip { get; set; }

    /// <summary>Input of the part-present sensor.</summary>
    public int? TriggerPin { get; set; }

    /// <summary>The sensor's level change that means a part arrived: <c>Rising</c> or <c>Falling</c>.</summary>
    public TriggerEdge TriggerEdge { get; set; } = TriggerEdge.Rising;

    /// <summary>How long the sensor must hold its new level before it counts; contact bounce shorter than this is ignored.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Output that diverts a part to the reject bin.</summary>
    public int? RejectPin { get; set; }

    /// <summary>Output that diverts a part into the hold lane, where it waits for a person.</summary>
    public int? HoldPin { get; set; }

    /// <summary>Output that lets a held part out of the hold lane back onto the line.</summary>
    public int? ReleasePin { get; set; }

    /// <summary>Output that drops a held part into scrap.</summary>
    public int? ScrapPin { get; set; }

    /// <summary>Status lamp: lit while parts wait in the hold lane for a person.</summary>
    public int? LampPin { get; set; }

    /// <summary>The time a part takes from the trigger to the gates: a verdict later than this cannot steer it any more.</summary>
    public TimeSpan VerdictDeadline { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long an output stays high to move a part.</summary>
    public TimeSpan GatePulse { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>The model label that lets a confidently decided part pass; any other confident label rejects it.</summary>
    public string PassLabel { get; set; } = "ok";

    /// <summary>Where an escalated, unscorable or late part goes.</summary>
    public FailSafeRoute FailSafe { get; set; } = FailSafeRoute.Hold;
}
