using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;
using EdgeMl.Agent.Configuration;
using EdgeMl.Agent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Capture;

/// <summary>
/// A live camera (V4L2 device, RTSP, MJPEG over HTTP) read through an ffmpeg child process that hands over JPEG
/// frames on a pipe. ffmpeg rather than OpenCV's VideoCapture: a dropped or hung camera is ended by killing the
/// process (a native read cannot be cancelled), and the line device needs Debian's ffmpeg only, not OpenCV's
/// GTK-linked native library. When the camera drops out or stalls, the source starts over with backoff. Like a
/// real camera it does not wait for the agent: only the newest frames are kept, the others are dropped and counted.
/// </summary>
public sealed partial class CameraSource : IFrameSource, IAsyncDisposable
{
    private const int Kept = 2;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(60);

    private readonly string _camera;
    private readonly IReadOnlyList<string> _input;
    private readonly string _ffmpeg;
    private readonly TimeSpan _minBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _time;
    private readonly FrameCounters _counters;
    private readonly ILogger<CameraSource> _logger;
    private readonly Channel<(byte[] Buffer, int Length, long Sequence)> _frames;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _capture;
    private long _sequence;

    public CameraSource(
        string camera,
        TimeSpan minBackoff,
        TimeSpan maxBackoff,
        TimeProvider time,
        FrameCounters counters,
        ILogger<CameraSource> logger,
        TimeSpan? stallTimeout = null)
    {
        SettingsProblems.ThrowIfAny(CameraInput.Problems(camera));

        _camera = camera;
        _input = CameraInput.Arguments(camera)!;
        _ffmpeg = CameraInput.Ffmpeg()!;
        _minBackoff = minBackoff;
        _maxBackoff = maxBackoff;
        _stallTimeout = stallTimeout ?? TimeSpan.FromSeconds(10);
        _time = time;
        _counters = counters;
        _logger = logger;
        _frames = Channel.CreateBounded<(byte[] Buffer, int Length, long Sequence)>(
            new BoundedChannelOptions(Kept) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped =>
            {
                ArrayPool<byte>.Shared.Return(dropped.Buffer);
                Statistics.AddDropped();
                _counters.AddDropped(1);
            });
        _capture = Task.Run(() => CaptureAsync(_stop.Token));
    }

    public CameraStatistics Statistics { get; } = new();

    public async ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken)
    {
        if (!await _frames.Reader.WaitToReadAsync(cancellationToken) || !_frames.Reader.TryRead(out var frame))
        {
            return false;
        }

        try
        {
            slot.Name = $"camera-{frame.Sequence}";
            slot.Load(frame.Buffer.AsSpan(0, frame.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _capture;
        _stop.Dispose();
        while (_frames.Reader.TryRead(out var frame))
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }
    }

    private async Task CaptureAsync(CancellationToken cancellationToken)
    {
        var backoff = _minBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (frames, reason) = await ReadStreamAsync(cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (frames > 0)
            {
                backoff = _minBackoff;
            }

            Statistics.AddReconnect();
            LogDroppedOut(_logger, _camera, reason, backoff.TotalSeconds);
            try
            {
                await Task.Delay(backoff, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
        }

        _frames.Writer.TryComplete();
    }

    /// <summary>One ffmpeg run, until the camera ends, stalls or the agent stops: the frames it delivered and why it ended.</summary>
    private async Task<(long Frames, string Reason)> ReadStreamAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        // Re-encoded to JPEG whatever the camera sends: RTSP cameras send H.264, and many USB cameras send MJPEG
        // without Huffman tables, which a plain JPEG decoder refuses.
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", .. _input,
                     "-an", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "pipe:1"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var lastError = "";
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                lastError = e.Data;
            }
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return (0, $"ffmpeg did not start: {e.Message}");
        }

        process.BeginErrorReadLine();
        using var stall = new CancellationTokenSource(_stallTimeout, _time);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);

        // Killing ffmpeg closes its pipe, which ends the read below whether or not the pipe honours cancellation.
        using var kill = ended.Token.Register(() => Kill(process));
        var splitter = new JpegStreamSplitter(FrameSlot.MaxFrameBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long frames = 0;
        var windowStart = _time.GetTimestamp();
        var windowFrames = 0;
        var lastLog = windowStart;
        LogConnecting(_logger, _camera);
        try
        {
            int read;
            while ((read = await process.StandardOutput.BaseStream.ReadAsync(chunk, ended.Token)) > 0)
            {
                splitter.Append(chunk.AsSpan(0, read));
                while (splitter.TryNext(out var jpeg))
                {
                    Offer(jpeg.Span);
                    frames++;
                    windowFrames++;
                    stall.CancelAfter(_stallTimeout);
                }

                var elapsed = _time.GetElapsedTime(windowStart);
                if (elapsed >= Window)
                {
                    Statistics.SetFramesPerSecond(windowFrames / elapsed.TotalSeconds);
                    windowStart = _time.GetTimestamp();
                    windowFrames = 0;
                    if (_time.GetElapsedTime(lastLog) >= LogEvery)
                    {
                        LogStatistics(_logger, _camera, Statistics);
                        lastLog = windowStart;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            lastError = e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        Statistics.SetFramesPerSecond(0);
        var reason = stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            ? $"no frame for {_stallTimeout.TotalSeconds:F0} s"
            : lastError.Length > 0 ? lastError : $"ffmpeg ended with code {process.ExitCode} after {frames} frames";
        return (frames, reason);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }
    }

    private void Offer(ReadOnlySpan<byte> jpeg)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(jpeg.Length);
        jpeg.CopyTo(buffer);
        Statistics.AddReceived();

        // Bounded with DropOldest: the write always succeeds, and a frame it pushes out is returned and counted.
        _frames.Writer.TryWrite((buffer, jpeg.Length, Interlocked.Increment(ref _sequence)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: connecting")]
    private static partial void LogConnecting(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Warning, Message = "camera {Camera} dropped out ({Reason}); reconnecting in {DelaySeconds:F1} s")]
    private static partial void LogDroppedOut(ILogger logger, string camera, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "camera {Camera}: {Statistics}")]
    private static partial void LogStatistics(ILogger logger, string camera, CameraStatistics statistics);
}
