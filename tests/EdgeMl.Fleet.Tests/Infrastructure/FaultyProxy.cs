using System.Net;
using System.Net.Sockets;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on loopback that forwards to the server and, once, after a number of bytes have gone
/// from server to client, either cuts the connection (a network that fails half-way through a
/// download) or flips the bits of the next byte (a corrupting link) and goes on relaying.
/// </summary>
internal sealed class FaultyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly long _cutAfter;
    private readonly bool _flip;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _cut;

    public FaultyProxy(int targetPort, long cutAfterBytes, bool flipInstead = false)
    {
        _target = targetPort;
        _cutAfter = cutAfterBytes;
        _flip = flipInstead;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Whether the fault (cut or flip) has happened.</summary>
    public bool HasCut => Volatile.Read(ref _cut) == 1;

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => RelayAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        await server.ConnectAsync(IPAddress.Loopback, _target);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var up = PumpAsync(client.GetStream(), server.GetStream(), countDown: false, done);
        var down = PumpAsync(server.GetStream(), client.GetStream(), countDown: true, done);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool countDown, CancellationTokenSource done)
    {
        var buffer = new byte[8192];
        long sent = 0;
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, done.Token)) > 0)
            {
                if (countDown && sent + read > _cutAfter && Interlocked.CompareExchange(ref _cut, 1, 0) == 0)
                {
                    if (!_flip)
                    {
                        await to.WriteAsync(buffer.AsMemory(0, (int)(_cutAfter - sent)), done.Token);
                        return;
                    }

                    buffer[_cutAfter - sent] ^= 0xFF;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), done.Token);
                sent += read;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
