using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using EdgeMl.Contracts.Telemetry;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// One of ingestion's MQTT 5 connections, spoken directly (<see cref="MqttWire"/>) rather than through MQTTnet's client: one
/// socket read takes every PUBLISH that has arrived, and the PUBACKs of what ingestion stored go out together in one write.
/// MQTTnet's client read each packet in three reads and wrote each PUBACK on its own, four system calls per aggregate on a
/// machine where they are most of the cost. A PUBLISH is acknowledged only when its <see cref="IncomingMessage.AcknowledgeAsync"/>
/// runs (once stored), in the order they arrived; the session persists (clean start off), so what was delivered and not
/// acknowledged when the connection goes is delivered again on the next. Keep-alive: a PINGREQ every half period, and the
/// connection counts as lost when its reader waited on the broker for one and a half periods and nothing came (not while a
/// delivery waits for room in ingestion's queue: the broker's answers to the pings are then unread, not missing).
/// </summary>
internal sealed class IngestionConnection : IAsyncDisposable
{
    private const int ReadBufferBytes = 64 * 1024;
    private const ushort SubscribePacketId = 1;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static readonly Func<CancellationToken, Task> Unacknowledged = _ => Task.CompletedTask;

    private readonly Stream _stream;
    private readonly TimeSpan _keepAlive;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Channel<ushort> _acks = Channel.CreateUnbounded<ushort>(new UnboundedChannelOptions { SingleReader = true });
    private byte[] _buffer = new byte[ReadBufferBytes];
    private int _start;
    private int _end;
    // When the reader began waiting on the socket; 0 while it is not (a delivery held back by a full queue is not silence).
    private long _waitingSince;

    private IngestionConnection(Stream stream, TimeSpan keepAlive, TimeProvider time)
    {
        _stream = stream;
        _keepAlive = keepAlive;
        _time = time;
    }

    /// <summary>Connects over <paramref name="stream"/> (which it then owns) and resumes the session of <paramref name="clientId"/>.</summary>
    public static async Task<IngestionConnection> OpenAsync(
        Stream stream, string clientId, string userName, string password, TimeSpan keepAlive, TimeSpan sessionExpiry, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = new IngestionConnection(stream, keepAlive, time);
        try
        {
            await connection.WriteAsync(MqttWire.ConnectPacket(clientId, userName, password, cleanStart: false, keepAlive, sessionExpiry, ushort.MaxValue), cancellationToken);
            var (header, body) = await connection.NextPacketAsync(cancellationToken) ?? throw new IOException("the broker closed the connection before its CONNACK");
            if ((header & 0xF0) != MqttWire.ConnAck || body.Length < 2)
            {
                throw new InvalidDataException($"the broker answered CONNECT with packet type 0x{header:X2}");
            }

            if (body.Span[1] != 0)
            {
                throw new InvalidOperationException($"the broker refused the connection (reason 0x{body.Span[1]:X2}); an external broker needs the server's account from fleet-server mosquitto-config");
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Subscribes to <paramref name="filters"/> at QoS 1; what the resumed session delivers meanwhile goes to <paramref name="deliver"/>.
    /// Throws when the broker refuses a filter.
    /// </summary>
    public async Task SubscribeAsync(IReadOnlyList<string> filters, Func<IncomingMessage, CancellationToken, ValueTask> deliver, CancellationToken cancellationToken)
    {
        await WriteAsync(MqttWire.SubscribePacket(SubscribePacketId, filters), cancellationToken);
        while (await NextPacketAsync(cancellationToken) is { } packet)
        {
            var (header, body) = packet;
            if (header != MqttWire.SubAck)
            {
                if (await HandleAsync(header, body, deliver, cancellationToken) is { } reason)
                {
                    throw new IOException(reason);
                }

                continue;
            }

            var reasons = MqttWire.ReadSubAckReasons(body.Span);
            for (var i = 0; i < filters.Count; i++)
            {
                if (i >= reasons.Length || reasons[i] >= 0x80)
                {
                    throw new InvalidOperationException(
                        $"the broker refused the subscription to {filters[i]} (reason 0x{(i < reasons.Length ? reasons[i] : 0):X2}); an external broker needs the server's account from fleet-server mosquitto-config");
                }
            }

            return;
        }

        throw new IOException("the broker closed the connection before its SUBACK");
    }

    /// <summary>
    /// Reads and delivers until the connection is lost, and returns why; acknowledgements that come after are dropped (the
    /// broker delivers those messages again). Throws only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<string> RunAsync(Func<IncomingMessage, CancellationToken, ValueTask> deliver, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var flushing = new CancellationTokenSource();
        var acknowledging = AcknowledgeAsync(flushing.Token);
        Task<string>[] loops = [ReadAsync(deliver, stop.Token), KeepAliveAsync(stop.Token), acknowledging];
        var first = await Task.WhenAny(loops);
        await stop.CancelAsync();
        _acks.Writer.TryComplete();
        if (cancellationToken.IsCancellationRequested && first != acknowledging)
        {
            await CloseAsync(acknowledging);
        }

        await flushing.CancelAsync();
        // A read or write the token does not reach (TLS) ends with the stream.
        await _stream.DisposeAsync();
        foreach (var loop in loops)
        {
            try
            {
                await loop;
            }
            catch (Exception e) when (Lost(e))
            {
                // The first of them says why.
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await first;
        }
        catch (Exception e) when (Lost(e))
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Stopping: the PUBACKs of what was stored go out before a DISCONNECT, so that the broker does not send those messages
    /// again; what comes after is stored again on the next start, which adds nothing.
    /// </summary>
    private async Task CloseAsync(Task acknowledging)
    {
        try
        {
            await acknowledging.WaitAsync(CloseTimeout, _time);
            using var timeout = new CancellationTokenSource(CloseTimeout, _time);
            await WriteAsync(MqttWire.DisconnectPacket, timeout.Token);
        }
        catch (Exception e) when (Lost(e) || e is TimeoutException)
        {
            // The broker delivers the rest again.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _acks.Writer.TryComplete();
        await _stream.DisposeAsync();
        _writing.Dispose();
    }

    private static bool Lost(Exception e) => e is IOException or SocketException or InvalidDataException or ObjectDisposedException or OperationCanceledException;

    private async Task<string> ReadAsync(Func<IncomingMessage, CancellationToken, ValueTask> deliver, CancellationToken cancellationToken)
    {
        while (await NextPacketAsync(cancellationToken) is { } packet)
        {
            if (await HandleAsync(packet.Header, packet.Body, deliver, cancellationToken) is { } reason)
            {
                return reason;
            }
        }

        return "the broker closed the connection";
    }

    /// <summary>Null to go on reading, or why the connection ends.</summary>
    private async ValueTask<string?> HandleAsync(byte header, ReadOnlyMemory<byte> body, Func<IncomingMessage, CancellationToken, ValueTask> deliver, CancellationToken cancellationToken)
    {
        switch (header & 0xF0)
        {
            case MqttWire.Publish:
                var (topic, packetId, payload) = MqttWire.ReadPublish(header, body);
                var qos1 = (header & 0x06) != 0;
                if (DeviceTopics.TryParse(topic, out var deviceId, out var name))
                {
                    await deliver(new IncomingMessage(deviceId, name, payload.ToArray(), qos1 ? _ => Acknowledge(packetId) : Unacknowledged), cancellationToken);
                }
                else if (qos1)
                {
                    // Nothing ingestion stores: done with on arrival.
                    await Acknowledge(packetId);
                }

                return null;
            case MqttWire.PingResp:
                return null;
            case MqttWire.Disconnect:
                return body.Length > 0 ? $"the broker disconnected (reason 0x{body.Span[0]:X2})" : "the broker disconnected";
            default:
                throw new InvalidDataException($"the broker sent an unexpected packet of type 0x{header:X2}");
        }
    }

    private Task Acknowledge(ushort packetId)
    {
        // Fails only once the connection is gone: the broker delivers the message again on the next.
        _acks.Writer.TryWrite(packetId);
        return Task.CompletedTask;
    }

    /// <summary>Writes every PUBACK waiting in one write: a stored batch acknowledges its messages in a burst.</summary>
    private async Task<string> AcknowledgeAsync(CancellationToken cancellationToken)
    {
        var packets = new ArrayBufferWriter<byte>(MqttWire.PubAckBytes * 1024);
        while (await _acks.Reader.WaitToReadAsync(cancellationToken))
        {
            packets.ResetWrittenCount();
            while (_acks.Reader.TryRead(out var packetId))
            {
                MqttWire.WritePubAck(packets.GetSpan(MqttWire.PubAckBytes), packetId);
                packets.Advance(MqttWire.PubAckBytes);
            }

            await WriteAsync(packets.WrittenMemory, cancellationToken);
        }

        return "the connection closed";
    }

    private async Task<string> KeepAliveAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_keepAlive / 2, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (Interlocked.Read(ref _waitingSince) is var since and not 0 && _time.GetElapsedTime(since) > _keepAlive * 1.5)
            {
                return $"nothing from the broker for {_keepAlive.TotalSeconds * 1.5:F0} s (keep-alive)";
            }

            await WriteAsync(MqttWire.PingReq, cancellationToken);
        }

        return "the connection closed";
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> packets, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(packets, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// The next whole packet, read from the socket only when none is left in the buffer; its body stays valid until the next
    /// call. Null once the broker closed the connection.
    /// </summary>
    private async ValueTask<(byte Header, ReadOnlyMemory<byte> Body)?> NextPacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (MqttWire.TryFrame(_buffer.AsSpan(_start, _end - _start), out var bodyStart, out var bodyLength))
            {
                var header = _buffer[_start];
                var body = _buffer.AsMemory(_start + bodyStart, bodyLength);
                _start += bodyStart + bodyLength;
                return (header, body);
            }

            // What is left of a packet moves to the front, into a larger buffer when the packet would not fit.
            var pending = _end - _start;
            var needed = MqttWire.TryReadVariableInteger(_buffer.AsSpan(_start + Math.Min(1, pending), Math.Max(0, pending - 1)), out var length, out var used) ? 1 + used + length : 0;
            var target = needed > _buffer.Length ? new byte[Math.Max(needed, _buffer.Length * 2)] : _buffer;
            _buffer.AsSpan(_start, pending).CopyTo(target);
            (_buffer, _start, _end) = (target, 0, pending);
            Interlocked.Exchange(ref _waitingSince, _time.GetTimestamp());
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            Interlocked.Exchange(ref _waitingSince, 0);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }
}
