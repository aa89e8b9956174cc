using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// One client connection of the embedded broker. MQTTnet reads a packet as its fixed header, each further byte of its
/// length, then its body: three or four system calls for one PUBLISH, on a machine where system calls are most of what
/// ingestion costs. This channel reads whatever has arrived into its own buffer and serves those reads from it, and writes a
/// packet of several segments in one call.
/// </summary>
internal sealed class BufferedMqttChannel(Stream stream, EndPoint localEndPoint, EndPoint remoteEndPoint, X509Certificate2? clientCertificate) : IMqttChannel
{
    private const int BufferSize = 16 * 1024;

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;

    public X509Certificate2 ClientCertificate => clientCertificate!;

    public EndPoint RemoteEndPoint => remoteEndPoint;

    public EndPoint LocalEndPoint => localEndPoint;

    public bool IsSecureConnection => stream is System.Net.Security.SslStream;

    /// <summary>Accepted connections are connected already.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken) => throw new NotSupportedException("a server-side channel is connected when accepted");

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        stream.Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            (_start, _end) = (0, await ReadStreamAsync(_buffer, cancellationToken));
            if (_end == 0)
            {
                return 0;
            }
        }

        var served = Math.Min(count, _end - _start);
        _buffer.AsSpan(_start, served).CopyTo(buffer.AsSpan(offset, served));
        _start += served;
        return served;
    }

    public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        try
        {
            if (buffer.IsSingleSegment)
            {
                await stream.WriteAsync(buffer.First, cancellationToken);
                return;
            }

            var length = checked((int)buffer.Length);
            var joined = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                buffer.CopyTo(joined);
                await stream.WriteAsync(joined.AsMemory(0, length), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }
        catch (ObjectDisposedException)
        {
            throw new MqttCommunicationException("The TCP connection is closed.");
        }
        catch (IOException e) when (e.InnerException is SocketException socketException)
        {
            // MQTTnet tells a lost connection from a broken one by the socket's error, as its own TCP channel does.
            ExceptionDispatchInfo.Throw(socketException);
        }
    }

    public void Dispose() => stream.Dispose();

    private async Task<int> ReadStreamAsync(Memory<byte> into, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(into, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // Closed under the read: MQTTnet takes 0 as the connection's end.
            return 0;
        }
        catch (IOException e) when (e.InnerException is SocketException socketException)
        {
            ExceptionDispatchInfo.Throw(socketException);
            throw;
        }
    }
}
