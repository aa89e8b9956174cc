using System.Net;
using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Http;

/// <summary>
/// The on-demand scoring endpoint for line controllers (section <c>Agent:Http</c>, <c>EDGEML_AGENT__HTTP__*</c>):
/// off unless <see cref="Port"/> is set, and then only with a <see cref="Token"/>.
/// </summary>
public sealed class ScoringHttpOptions
{
    public const string Section = "Agent:Http";

    /// <summary>Minimum token length: a short token is guessable by a controller on the same network.</summary>
    public const int MinTokenLength = 16;

    /// <summary>TCP port of <c>POST /v1/score</c>; null keeps the endpoint off, 0 lets the OS choose.</summary>
    public int? Port { get; set; }

    /// <summary>Address to listen on; loopback unless a line controller on another host must reach the agent.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Bearer token every request must carry.</summary>
    public string? Token { get; set; }

    /// <summary>Largest image body accepted; larger requests are refused with 413 before the body is read.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    public bool Enabled => Port is not null;

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"Agent:Http:Port is {Port}; use 1-65535 (or 0 for a port the OS chooses)";
        }

        if (!IPAddress.TryParse(Address, out _))
        {
            yield return $"Agent:Http:Address '{Address}' is not an IP address; use 127.0.0.1 (default) or the interface's address";
        }

        if (string.IsNullOrWhiteSpace(Token) || Token.Length < MinTokenLength)
        {
            yield return $"Agent:Http:Token must be set, at least {MinTokenLength} characters, when Agent:Http:Port is set";
        }

        if (MaxBodyBytes < 1 || MaxBodyBytes > FrameSlot.MaxFrameBytes)
        {
            yield return $"Agent:Http:MaxBodyBytes is {MaxBodyBytes}; use 1 to {FrameSlot.MaxFrameBytes}";
        }
    }
}
