namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>A stream that passes everything through and counts the MQTT packets written with a given fixed-header byte.</summary>
internal sealed class PacketWriteLog(Stream inner, byte header) : Stream
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Interlocked.Add(ref _count, Matching(buffer.Span));
    }

    // Each write holds whole packets: the type byte, the remaining length (7 bits a byte), then that many bytes.
    private int Matching(ReadOnlySpan<byte> packets)
    {
        var matching = 0;
        for (var at = 0; at < packets.Length;)
        {
            var type = packets[at++];
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                var digit = packets[at++];
                length |= (digit & 0x7F) << shift;
                if ((digit & 0x80) == 0)
                {
                    break;
                }
            }

            at += length;
            matching += type == header ? 1 : 0;
        }

        return matching;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("written asynchronously only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
