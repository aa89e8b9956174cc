using System.Net;
using System.Net.Sockets;
using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Agent.Tests.Capture;

public sealed class CameraSourceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reads_jpeg_frames_from_an_mjpeg_camera_and_reconnects_after_it_drops_out()
    {
        await using var camera = new MjpegServer();
        camera.Start();
        await using var source = new CameraSource(
            camera.Url, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500), TimeProvider.System, new FrameCounters(), NullLogger<CameraSource>.Instance);
        using var deadline = new CancellationTokenSource(Deadline);
        var slot = new FrameSlot();

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await source.ReadNextAsync(slot, deadline.Token));
            Assert.True(slot.Encoded[..2].SequenceEqual(new byte[] { 0xFF, 0xD8 }), "a frame starts with a JPEG start of image");
            Assert.True(slot.Encoded[^2..].SequenceEqual(new byte[] { 0xFF, 0xD9 }), "a frame ends with a JPEG end of image");
        }

        await camera.StopAsync();
        await Poll.UntilAsync(() => source.Statistics.Reconnects > 0, "the source to notice the camera dropped out", deadline.Token);

        camera.Start();
        var before = source.Statistics.Received;
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await source.ReadNextAsync(slot, deadline.Token));
        }

        Assert.True(source.Statistics.Received > before, "frames came again after the reconnect");
    }

    [Fact]
    public async Task Drops_and_counts_frames_the_agent_is_too_busy_to_take()
    {
        await using var camera = new MjpegServer();
        camera.Start();
        var counters = new FrameCounters();
        await using var source = new CameraSource(
            camera.Url, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500), TimeProvider.System, counters, NullLogger<CameraSource>.Instance);
        using var deadline = new CancellationTokenSource(Deadline);

        await Poll.UntilAsync(() => source.Statistics.Dropped > 0 && source.Statistics.FramesPerSecond > 0, "frames to pile up unread and the frame rate to be measured", deadline.Token);

        Assert.Equal(source.Statistics.Dropped, counters.Dropped);
        var slot = new FrameSlot();
        Assert.True(await source.ReadNextAsync(slot, deadline.Token));
        Assert.True(slot.Length > 0);
    }

    [Fact]
    public async Task Starts_over_when_a_connected_camera_stops_sending()
    {
        // A camera that takes the connection and then says nothing: ffmpeg alone would wait for ever.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var time = new FakeTimeProvider();
        var stall = TimeSpan.FromSeconds(5);
        await using var source = new CameraSource(
            $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/camera.mjpg",
            TimeSpan.FromMilliseconds(50),
            TimeSpan.FromMilliseconds(500),
            time,
            new FrameCounters(),
            NullLogger<CameraSource>.Instance,
            stall);
        using var deadline = new CancellationTokenSource(Deadline);
        using var connection = await listener.AcceptTcpClientAsync(deadline.Token);
        var stream = connection.GetStream();
        var buffer = new byte[4096];

        var closed = false;
        while (!closed)
        {
            time.Advance(stall);
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            poll.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                closed = await stream.ReadAsync(buffer, poll.Token) == 0;
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
            }
        }

        await Poll.UntilAsync(() => source.Statistics.Reconnects > 0, "the stalled camera to count as dropped out", deadline.Token);
    }
}
