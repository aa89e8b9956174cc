using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Devices;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// The MQTT broker inside the server (MQTTnet), so a one-machine fleet needs nothing else. Only enrolled devices
/// and the server connect, each to its own topics (<see cref="EmbeddedBrokerGuard"/>). A device's telemetry goes straight
/// to ingestion in this process, and the device has its PUBACK once the aggregate is stored (<see cref="IngestionQueue"/>):
/// a loopback connection that read it back cost more than the broker and the store together. Each device connection is a
/// <see cref="DeviceSession"/>: revoking the device, on this replica or another, drops it.
/// </summary>
internal sealed class EmbeddedBroker(
    IOptions<FleetServerOptions> options,
    X509Certificate2? certificate,
    FleetStores stores,
    MqttServerCredential credential,
    IngestionQueue ingestion,
    DeviceRevocations revocations,
    TimeProvider time)
    : IHostedService, IBrokerAccounts, IDisposable
{
    /// <summary>How long a device's PUBACK waits for its aggregate to be queued, and again to be stored, at most.</summary>
    public static readonly TimeSpan MaxStoreWait = TimeSpan.FromSeconds(5);

    private const string KeepAliveItem = "edgeml.keep-alive";

    /// <summary>About 100 MB of aggregates waiting for ingestion at most.</summary>
    public const int MaxPendingMessages = 100_000;

    private readonly CancellationTokenSource _stopping = new();

    // Keyed by connection, not by client id: a device connecting again may take over before its old connection is reported gone.
    private readonly ConcurrentDictionary<(string ClientId, EndPoint? Remote), DeviceSession> _devices = new();
    private MqttServer? _server;
    private MqttServerTcpEndpointBaseOptions? _endpoint;
    private IPAddress? _address;

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>The bound address and port (the OS's choice when the configured port is 0); null before start.</summary>
    public IPEndPoint? Endpoint => IsRunning && _address is not null && _endpoint is not null ? new IPEndPoint(_address, _endpoint.Port) : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.Bind);
        // MQTTnet opens an IPv4 and an IPv6 listener, the latter on [::] unless told otherwise:
        // the family that --bind does not name gets no listener at all.
        var v4 = address.AddressFamily == AddressFamily.InterNetwork ? address : IPAddress.None;
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6 ? address : IPAddress.None;
        // MQTTnet queues at most 250 messages per subscriber by default and drops the oldest beyond that, after the device
        // already had its PUBACK: the server's ingestion subscribes to every device, so its queue must absorb a fleet's burst.
        var builder = new MqttServerOptionsBuilder().WithMaxPendingMessagesPerClient(MaxPendingMessages);
        if (certificate is null)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(v4).WithDefaultEndpointBoundIPV6Address(v6).WithDefaultEndpointPort(o.MqttPort);
        }
        else
        {
            builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(v4).WithEncryptedEndpointBoundIPV6Address(v6)
                .WithEncryptedEndpointPort(o.MqttPort).WithEncryptionCertificate(certificate);
        }

        var serverOptions = builder.Build();
        _endpoint = certificate is null ? serverOptions.DefaultEndpointOptions : serverOptions.TlsEndpointOptions;
        _address = address;
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [new BufferedMqttServerAdapter()]);
        var guard = new EmbeddedBrokerGuard(stores, credential);
        _server.ValidatingConnectionAsync += args => ValidateConnectionAsync(guard, args);
        _server.ValidatingConnectionAsync += args =>
        {
            args.SessionItems[KeepAliveItem] = args.KeepAlivePeriod;
            return Task.CompletedTask;
        };
        _server.ClientConnectedAsync += args =>
            _devices.TryGetValue((args.ClientId, args.RemoteEndPoint), out var session) && session.IsRevoked ? DropAsync(args.ClientId) : Task.CompletedTask;
        _server.ClientDisconnectedAsync += args =>
        {
            if (_devices.TryRemove((args.ClientId, args.RemoteEndPoint), out var session))
            {
                session.Dispose();
            }

            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += EmbeddedBrokerGuard.InterceptSubscriptionAsync;
        // MQTTnet writes the port it bound back into the endpoint options.
        await _server.StartAsync();
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        await EmbeddedBrokerGuard.InterceptPublishAsync(args);
        var message = args.ApplicationMessage;
        if (!args.ProcessPublish || args.UserName == MqttServerCredential.UserName
            || !DeviceTopics.TryParse(message.Topic, out var deviceId, out var name) || name != DeviceTopics.TelemetryName)
        {
            return;
        }

        // The device's PUBACK follows this handler, so it comes once the aggregate is stored. A connection or server that stops
        // meanwhile cancels the wait: the device has no PUBACK and sends the aggregate again; storing is idempotent by its id.
        var stored = await ingestion.TryStoreAsync(deviceId, name, message.Payload.ToArray(), StoreWait(args.SessionItems), time, args.CancellationToken);
        // Consumed here, not dispatched: sent to no subscriber, the PUBACK would say "no matching subscribers".
        args.ProcessPublish = false;
        if (!stored)
        {
            // Not stored in time (the database is away or slow). The connection reads nothing while this handler waits, so a
            // longer wait would cost the device its connection (keep-alive) and publish its last will. "No matching subscribers"
            // tells the agent nobody took it: it keeps the aggregate and sends it again later, still connected.
            args.Response.ReasonCode = MqttPubAckReasonCode.NoMatchingSubscribers;
        }
    }

    /// <summary>
    /// Checks a device's secret (<see cref="EmbeddedBrokerGuard"/>) inside a session opened first, so that a revocation either
    /// precedes the check, which refuses the device, or finds the session and drops the connection.
    /// </summary>
    private async Task ValidateConnectionAsync(EmbeddedBrokerGuard guard, ValidatingConnectionEventArgs args)
    {
        var session = string.IsNullOrEmpty(args.UserName) || args.UserName == MqttServerCredential.UserName ? null : revocations.Open(args.UserName, CancellationToken.None);
        try
        {
            await guard.ValidateConnectionAsync(args, _stopping.Token);
        }
        catch
        {
            session?.Dispose();
            throw;
        }

        if (session is null)
        {
            return;
        }

        if (args.ReasonCode != MqttConnectReasonCode.Success || !_devices.TryAdd((args.ClientId, args.RemoteEndPoint), session))
        {
            session.Dispose();
            return;
        }

        // Revoked before the connection is registered: the connected handler drops it instead.
        var clientId = args.ClientId;
        session.Token.Register(() => _ = DropAsync(clientId));
    }

    private async Task DropAsync(string clientId)
    {
        try
        {
            if (_server is not null && (await _server.GetClientsAsync()).Any(c => c.Id == clientId))
            {
                await _server.DisconnectClientAsync(clientId, MqttDisconnectReasonCode.NotAuthorized);
            }
        }
        catch (InvalidOperationException)
        {
            // It left meanwhile, or the broker stopped: nothing to drop.
        }
    }

    /// <summary>A third of the device's keep-alive, so that both waits end well before the broker would give up on it.</summary>
    private static TimeSpan StoreWait(System.Collections.IDictionary sessionItems) =>
        sessionItems[KeepAliveItem] is ushort and > 0 and var seconds ? TimeSpan.FromSeconds(Math.Min((ushort)seconds / 3.0, MaxStoreWait.TotalSeconds)) : MaxStoreWait;

    /// <summary>Nothing to do: the guard finds a new device in the database.</summary>
    public Task AddDeviceAsync(string deviceId, string secret, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeviceAuthenticatedAsync(string deviceId, string secret, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing to do: the revocation (<see cref="DeviceRevocations"/>) drops the device's connection, here and on every replica.</summary>
    public Task RemoveDeviceAsync(string deviceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public void Dispose()
    {
        _server?.Dispose();
        _stopping.Dispose();
    }
}
