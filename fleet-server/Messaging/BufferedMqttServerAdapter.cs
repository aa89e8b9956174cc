using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// The embedded broker's TCP listener: MQTTnet's own, but each connection a <see cref="BufferedMqttChannel"/>. It listens on the
/// one endpoint the options enable (plain or TLS), on each address family given an address, and writes the bound port back
/// into the endpoint's options, as MQTTnet's listener does.
/// </summary>
internal sealed class BufferedMqttServerAdapter : IMqttServerAdapter
{
    private readonly List<Socket> _listeners = [];
    private CancellationTokenSource? _stopping;
    private MqttServerOptions? _options;
    private IMqttNetLogger? _logger;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        (_options, _logger) = (options, logger);
        _stopping = new CancellationTokenSource();
        MqttServerTcpEndpointBaseOptions endpoint = options.TlsEndpointOptions.IsEnabled ? options.TlsEndpointOptions : options.DefaultEndpointOptions;
        if (!endpoint.IsEnabled)
        {
            return Task.CompletedTask;
        }

        var certificate = (endpoint as MqttServerTlsTcpEndpointOptions)?.CertificateProvider?.GetCertificate();
        foreach (var address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address }.Where(a => !a.Equals(IPAddress.None)))
        {
            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listeners.Add(listener);
            if (endpoint.ReuseAddress)
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            if (endpoint.LingerState is { } linger)
            {
                listener.LingerState = linger;
            }

            listener.Bind(new IPEndPoint(address, endpoint.Port));
            // Port 0 binds the first family's choice; the other family then takes the same port.
            endpoint.Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            listener.Listen(endpoint.ConnectionBacklog);
            _ = AcceptAsync(listener, endpoint, certificate, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
        }

        CloseListeners();
    }

    public void Dispose()
    {
        CloseListeners();
        _stopping?.Dispose();
    }

    private void CloseListeners()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        _listeners.Clear();
    }

    private async Task AcceptAsync(Socket listener, MqttServerTcpEndpointBaseOptions endpoint, X509Certificate2? certificate, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || (e is SocketException s && s.SocketErrorCode == SocketError.OperationAborted))
            {
                // Stopped, or the listener closed: no more connections.
                return;
            }
            catch (SocketException e)
            {
                // A client that left before it was accepted is nothing to report; anything else (out of descriptors) is, and
                // accepting again at once would only fail again.
                if (e.SocketErrorCode is not (SocketError.ConnectionAborted or SocketError.ConnectionReset))
                {
                    _logger!.Publish(MqttNetLogLevel.Error, nameof(BufferedMqttServerAdapter), "Error while accepting a connection", null, e);
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }

                continue;
            }

            _ = Task.Run(() => ServeAsync(client, endpoint, certificate), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, MqttServerTcpEndpointBaseOptions endpoint, X509Certificate2? certificate)
    {
        Stream? stream = null;
        try
        {
            client.NoDelay = endpoint.NoDelay;
            stream = new NetworkStream(client, ownsSocket: true);
            X509Certificate2? clientCertificate = null;
            if (certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                    EnabledSslProtocols = ((MqttServerTlsTcpEndpointOptions)endpoint).SslProtocol,
                });
                clientCertificate = tls.RemoteCertificate as X509Certificate2;
            }

            if (ClientHandler is { } handler)
            {
                var channel = new BufferedMqttChannel(stream, client.LocalEndPoint!, client.RemoteEndPoint!, clientCertificate);
                using var adapter = new MqttChannelAdapter(channel, new MqttPacketFormatterAdapter(new MqttBufferWriter(_options!.WriterBufferSize, _options.WriterBufferSizeMax)), _logger!)
                {
                    AllowPacketFragmentation = endpoint.AllowPacketFragmentation,
                };
                await handler(adapter);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            // A client that left, or failed its TLS handshake, before it spoke MQTT: nothing to tell it.
        }
        catch (Exception e)
        {
            _logger!.Publish(MqttNetLogLevel.Error, nameof(BufferedMqttServerAdapter), "Error while handling a client connection", null, e);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            else
            {
                client.Dispose();
            }
        }
    }
}
