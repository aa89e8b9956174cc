using System.Net.Sockets;
using EdgeMl.Fleet.Telemetry;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// One simulated device of <c>bench-telemetry</c>: its own TCP connection and enrolled credential, speaking just enough MQTT 5
/// (CONNECT, PUBLISH at QoS 1, PUBACK) to publish pre-encoded aggregates one at a time, each only after the broker acknowledged
/// the one before, as the agent does. A load generator, not the thing measured: a full MQTT client per device spent more of
/// this machine's two cores than the broker and the ingestion it drives.
/// </summary>
internal sealed class BenchMqttDevice : IAsyncDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromMinutes(10);

    private readonly Socket _socket;
    private readonly byte[] _receive = new byte[256];
    private int _received;
    private int _consumed;

    private BenchMqttDevice(Socket socket, string deviceId)
    {
        _socket = socket;
        DeviceId = deviceId;
    }

    public string DeviceId { get; }

    public static async Task<BenchMqttDevice> ConnectAsync(string host, int port, string deviceId, string secret, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var device = new BenchMqttDevice(socket, deviceId);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            await socket.SendAsync(MqttWire.ConnectPacket(deviceId, deviceId, secret, cleanStart: true, KeepAlive, TimeSpan.Zero, ushort.MaxValue), cancellationToken);
            var (type, body) = await device.ReadPacketAsync(cancellationToken);
            // CONNACK: acknowledge flags, then the reason code (0 is success).
            if (type != MqttWire.ConnAck || body.Length < 2 || body.Span[1] != 0)
            {
                throw new InvalidOperationException($"the broker refused device {deviceId}'s connection (reason 0x{(body.Length > 1 ? body.Span[1] : 0):X2})");
            }

            return device;
        }
        catch
        {
            await device.DisposeAsync();
            throw;
        }
    }

    /// <summary>A device's PUBLISH packets (QoS 1, packet ids 1, 2, ...), encoded before the clock starts.</summary>
    public static byte[][] PublishPackets(string topic, IReadOnlyList<byte[]> payloads)
    {
        var packets = new byte[payloads.Count][];
        for (var i = 0; i < payloads.Count; i++)
        {
            packets[i] = MqttWire.PublishPacket(topic, (ushort)((i % ushort.MaxValue) + 1), payloads[i]);
        }

        return packets;
    }

    /// <summary>Sends each packet and waits for its PUBACK before the next; a refusal (reason code 0x80 or above) throws.</summary>
    public async Task PublishAsync(byte[][] packets, CancellationToken cancellationToken)
    {
        foreach (var packet in packets)
        {
            await _socket.SendAsync(packet, cancellationToken);
            var (type, body) = await ReadPacketAsync(cancellationToken);
            if (type != MqttWire.PubAck || body.Length < 2)
            {
                throw new InvalidOperationException($"device {DeviceId} expected a PUBACK and got packet type 0x{type:X2}");
            }

            // Packet id, then a reason code when the broker sends one (absent means success).
            if (body.Length > 2 && body.Span[2] >= 0x80)
            {
                throw new InvalidOperationException($"the broker refused device {DeviceId}'s aggregate (reason 0x{body.Span[2]:X2})");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The next packet's type and body; the body stays valid until the next read.</summary>
    private async Task<(byte Type, ReadOnlyMemory<byte> Body)> ReadPacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakePacket(out var type, out var start, out var length))
            {
                return (type, _receive.AsMemory(start, length));
            }

            var read = await _socket.ReceiveAsync(_receive.AsMemory(_received), cancellationToken);
            if (read == 0)
            {
                throw new InvalidOperationException($"the broker closed device {DeviceId}'s connection");
            }

            _received += read;
        }
    }

    /// <summary>
    /// Takes a whole packet off the front of the buffer when one has arrived: the previous one is dropped first, so a body
    /// handed out stays where it is until the next read.
    /// </summary>
    private bool TryTakePacket(out byte type, out int start, out int length)
    {
        type = 0;
        if (_consumed > 0)
        {
            _receive.AsSpan(_consumed, _received - _consumed).CopyTo(_receive);
            _received -= _consumed;
            _consumed = 0;
        }

        if (!MqttWire.TryFrame(_receive.AsSpan(0, _received), out start, out length))
        {
            if (_received == _receive.Length)
            {
                throw new InvalidOperationException($"device {DeviceId} received a packet longer than a simulated device reads");
            }

            return false;
        }

        type = (byte)(_receive[0] & 0xF0);
        _consumed = start + length;
        return true;
    }
}
