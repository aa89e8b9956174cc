using System.Net;
using EdgeMl.Fleet.Messaging;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EdgeMl.Fleet.Hosting;

/// <summary>
/// Where the server really listens once started. A port of 0 asks the OS for a free one; the
/// bound port is read back here instead of being guessed beforehand (a guessed port can be
/// taken by another process before the server binds it).
/// </summary>
internal sealed class ListeningEndpoints
{
    private ListenOptions? _grpc;
    private ListenOptions? _http;

    public IPEndPoint Grpc => Bound(_grpc, "gRPC");

    public IPEndPoint Http => Bound(_http, "HTTP");

    /// <summary>The embedded broker's endpoint; null when an external broker is used.</summary>
    public IPEndPoint? Mqtt => Broker?.Endpoint;

    internal EmbeddedBroker? Broker { get; set; }

    internal void Listening(ListenOptions grpc, ListenOptions http)
    {
        _grpc = grpc;
        _http = http;
    }

    // Kestrel replaces a listener's endpoint with the bound one when it binds.
    private static IPEndPoint Bound(ListenOptions? listener, string name) =>
        listener?.IPEndPoint is { Port: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException($"the {name} listener is not bound yet; start the server first");
}
