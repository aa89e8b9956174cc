using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on loopback to a broker that the test can take away and bring back: while down, open connections are cut and
/// new ones closed at once, as a broker that went away looks to the device; the port stays the same.
/// </summary>
internal sealed class SwitchableProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, CancellationTokenSource> _open = new();
    private readonly Task _accepting;
    private volatile bool _down;

    public SwitchableProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Address => $"mqtt://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections cut or refused since the proxy started.</summary>
    public int Refused { get; private set; }

    public void TakeDown()
    {
        _down = true;
        foreach (var relay in _open.Values)
        {
            relay.Cancel();
        }
    }

    public void BringBack() => _down = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                if (_down)
                {
                    Refused++;
                    client.Dispose();
                    continue;
                }

                _ = Task.Run(() => RelayAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _open[client] = done;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, done.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), done.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), done.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            // Cut by TakeDown or by either side: both sockets close below.
        }
        finally
        {
            _open.TryRemove(client, out var _1);
            await done.CancelAsync();
        }
    }
}
