using System.Net;

namespace EdgeMl.Agent.Metrics;

/// <summary>
/// The agent's Prometheus endpoint (section <c>Agent:Metrics</c>, <c>EDGEML_AGENT__METRICS__*</c>): <c>GET /metrics</c>
/// with frames by model version and decision, and end-to-end latency; off unless <see cref="Port"/> is set.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Agent:Metrics";

    /// <summary>TCP port of <c>GET /metrics</c>; null keeps the endpoint off, 0 lets the OS choose.</summary>
    public int? Port { get; set; }

    /// <summary>Address to listen on; loopback unless a Prometheus on another host scrapes the device (the endpoint has no token: open it on a trusted network only).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public bool Enabled => Port is not null;

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"Agent:Metrics:Port is {Port}; use 1-65535 (or 0 for a port the OS chooses)";
        }

        if (!IPAddress.TryParse(Address, out _))
        {
            yield return $"Agent:Metrics:Address '{Address}' is not an IP address; use 127.0.0.1 (default) or the interface's address";
        }
    }
}
