using System.Net.Sockets;
using System.Text;

namespace EdgeMl.Fleet.Bench;

/// <summary>
/// One simulated device of <c>bench-telemetry</c>: its own TCP connection and enrolled credential, speaking just enough MQTT 5
/// (CONNECT, PUBLISH at QoS 1, PUBACK) to publish pre-encoded aggregates one at a time, each only after the broker acknowledged
/// the one before, as the agent does. A load generator, not the thing measured: a full MQTT client per device spent more of
/// this machine's two cores than the broker and the ingestion it drives.
/// </summary>
internal sealed class BenchMqttDevice : IAsyncDisposable
{
    private const byte Connect = 0x10;
    private const byte ConnAck = 0x20;
    private const byte PublishQos1 = 0x32;
    private const byte PubAck = 0x40;
    private const ushort KeepAliveSeconds = 600;

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
            await socket.SendAsync(ConnectPacket(deviceId, secret), cancellationToken);
            var (type, body) = await device.ReadPacketAsync(cancellationToken);
            // CONNACK: acknowledge flags, then the reason code (0 is success).
            if (type != ConnAck || body.Length < 2 || body.Span[1] != 0)
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
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        var packets = new byte[payloads.Count][];
        for (var i = 0; i < payloads.Count; i++)
        {
            var body = new List<byte>(2 + topicBytes.Length + 3 + payloads[i].Length);
            AddString(body, topicBytes);
            var packetId = (ushort)((i % ushort.MaxValue) + 1);
            body.Add((byte)(packetId >> 8));
            body.Add((byte)packetId);
            body.Add(0); // no properties
            body.AddRange(payloads[i]);
            packets[i] = Packet(PublishQos1, body);
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
            if (type != PubAck || body.Length < 2)
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
        start = 0;
        length = 0;
        if (_consumed > 0)
        {
            _receive.AsSpan(_consumed, _received - _consumed).CopyTo(_receive);
            _received -= _consumed;
            _consumed = 0;
        }

        // Fixed header: the type byte, then the remaining length (a variable-length integer of 1 to 4 bytes).
        var multiplier = 1;
        for (var i = 1; i < Math.Min(_received, 5); i++)
        {
            length += (_receive[i] & 0x7F) * multiplier;
            multiplier *= 128;
            if ((_receive[i] & 0x80) == 0)
            {
                if (1 + i + length > _receive.Length)
                {
                    throw new InvalidOperationException($"device {DeviceId} received a packet of {length} bytes, more than a simulated device reads");
                }

                if (_received < 1 + i + length)
                {
                    return false;
                }

                type = (byte)(_receive[0] & 0xF0);
                start = 1 + i;
                _consumed = start + length;
                return true;
            }
        }

        return false;
    }

    private static byte[] ConnectPacket(string deviceId, string secret)
    {
        var body = new List<byte>(64);
        AddString(body, "MQTT"u8.ToArray());
        body.Add(5); // protocol level: MQTT 5
        body.Add(0xC2); // user name, password, clean start
        body.Add(KeepAliveSeconds >> 8);
        body.Add(KeepAliveSeconds & 0xFF);
        body.Add(0); // no properties
        AddString(body, Encoding.UTF8.GetBytes(deviceId));
        AddString(body, Encoding.UTF8.GetBytes(deviceId));
        AddString(body, Encoding.UTF8.GetBytes(secret));
        return Packet(Connect, body);
    }

    private static void AddString(List<byte> body, byte[] value)
    {
        body.Add((byte)(value.Length >> 8));
        body.Add((byte)value.Length);
        body.AddRange(value);
    }

    private static byte[] Packet(byte header, List<byte> body)
    {
        var packet = new List<byte>(body.Count + 5) { header };
        for (var remaining = body.Count; ;)
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            packet.Add(remaining > 0 ? (byte)(digit | 0x80) : digit);
            if (remaining == 0)
            {
                break;
            }
        }

        packet.AddRange(body);
        return [.. packet];
    }
}
