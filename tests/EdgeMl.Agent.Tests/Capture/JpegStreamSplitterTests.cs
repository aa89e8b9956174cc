using EdgeMl.Agent.Capture;

namespace EdgeMl.Agent.Tests.Capture;

public sealed class JpegStreamSplitterTests
{
    // SOI, an APP1 segment holding a thumbnail's end-of-image bytes, SOS, scan data with a stuffed 0xFF and a restart marker, EOI.
    private static readonly byte[] Tricky =
    [
        0xFF, 0xD8,
        0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0xFF, 0xD9,
        0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02,
        0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD3, 0x33,
        0xFF, 0xD9,
    ];

    [Fact]
    public void Cuts_frames_at_their_real_end_whatever_the_chunks()
    {
        byte[] stream = [0x00, 0x42, .. Tricky, .. Tricky, 0xFF];
        for (var chunk = 1; chunk <= stream.Length; chunk++)
        {
            var splitter = new JpegStreamSplitter(1024);
            var frames = new List<byte[]>();
            for (var at = 0; at < stream.Length; at += chunk)
            {
                splitter.Append(stream.AsSpan(at, Math.Min(chunk, stream.Length - at)));
                while (splitter.TryNext(out var frame))
                {
                    frames.Add(frame.ToArray());
                }
            }

            Assert.Equal(2, frames.Count);
            Assert.All(frames, f => Assert.Equal(Tricky, f));
        }
    }

    [Fact]
    public void Drops_a_frame_cut_short_by_the_next_one()
    {
        var splitter = new JpegStreamSplitter(1024);
        splitter.Append([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, .. Tricky]);

        Assert.True(splitter.TryNext(out var frame));
        Assert.Equal(Tricky, frame.ToArray());
        Assert.Equal(1, splitter.DiscardedFrames);
    }
}
