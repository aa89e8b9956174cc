using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeMl.Agent.Tests.Capture;

/// <summary>
/// A network camera on loopback: Debian's ffmpeg serving a test pattern as MJPEG over HTTP (<c>-listen 1</c>).
/// ffmpeg serves one client and exits, and cannot report the port it bound, so the server is started again
/// whenever it ends by itself (a client left, or the port was briefly taken) until it is stopped.
/// </summary>
internal sealed class MjpegServer : IAsyncDisposable
{
    private CancellationTokenSource? _running;
    private Task? _supervisor;

    public MjpegServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/camera.mjpg";

    public void Start()
    {
        _running = new CancellationTokenSource();
        var token = _running.Token;
        _supervisor = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg")
                {
                    ArgumentList =
                    {
                        "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                        "-c:v", "mjpeg", "-q:v", "5", "-f", "mpjpeg", "-listen", "1", Url,
                    },
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                _ = ffmpeg.StandardError.ReadToEndAsync(CancellationToken.None);
                try
                {
                    await ffmpeg.WaitForExitAsync(token);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), token);
                }
                catch (OperationCanceledException)
                {
                    ffmpeg.Kill(entireProcessTree: true);
                    await ffmpeg.WaitForExitAsync(CancellationToken.None);
                }
            }
        });
    }

    /// <summary>The camera drops out: the serving process dies mid-stream.</summary>
    public async Task StopAsync()
    {
        if (_running is null || _supervisor is null)
        {
            return;
        }

        await _running.CancelAsync();
        await _supervisor;
        _running.Dispose();
        _running = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
