namespace EdgeMl.Agent.Messaging;

/// <summary>An MQTT broker's address from an mqtt:// or mqtts:// URL; the port defaults to 1883 (8883 with TLS).</summary>
internal sealed record BrokerAddress(string Host, int Port, bool Tls)
{
    public static BrokerAddress? Parse(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.Host.Length == 0)
        {
            return null;
        }

        var tls = uri.Scheme == "mqtts";
        // Uri keeps an IPv6 literal's brackets, which a socket does not want.
        return new BrokerAddress(uri.IdnHost.Trim('[', ']'), uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port, tls);
    }

    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
