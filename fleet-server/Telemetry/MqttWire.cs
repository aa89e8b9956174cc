using System.Buffers.Binary;
using System.Text;

namespace EdgeMl.Fleet.Telemetry;

/// <summary>
/// The few MQTT 5 packets <see cref="IngestionConnection"/> speaks (CONNECT, SUBSCRIBE, PUBACK, PINGREQ out; CONNACK, SUBACK,
/// PUBLISH, PINGRESP, DISCONNECT in), and the PUBLISH that bench-telemetry's simulated devices send, encoded and decoded as the
/// specification lays them out.
/// </summary>
internal static class MqttWire
{
    public const byte Connect = 0x10;
    public const byte ConnAck = 0x20;
    public const byte Publish = 0x30;
    public const byte PubAck = 0x40;
    public const byte Subscribe = 0x82;
    public const byte SubAck = 0x90;
    public const byte PingResp = 0xD0;
    public const byte Disconnect = 0xE0;

    /// <summary>A PUBACK's length on the wire: fixed header, remaining length 2, packet id (no reason code: success).</summary>
    public const int PubAckBytes = 4;

    public static ReadOnlyMemory<byte> PingReq { get; } = new byte[] { 0xC0, 0x00 };

    /// <summary>DISCONNECT, normal: the session stays for its expiry interval.</summary>
    public static ReadOnlyMemory<byte> DisconnectPacket { get; } = new byte[] { Disconnect, 0x00 };

    private const byte SessionExpiryInterval = 0x11;
    private const byte ReceiveMaximum = 0x21;

    /// <summary>CONNECT with user name and password; <paramref name="cleanStart"/> off resumes the session of <paramref name="clientId"/>.</summary>
    public static byte[] ConnectPacket(string clientId, string userName, string password, bool cleanStart, TimeSpan keepAlive, TimeSpan sessionExpiry, ushort receiveMaximum)
    {
        var body = new List<byte>(64);
        AddString(body, "MQTT");
        body.Add(5);
        body.Add((byte)(0xC0 | (cleanStart ? 0x02 : 0)));
        AddUInt16(body, (ushort)Math.Min(ushort.MaxValue, keepAlive.TotalSeconds));
        body.Add(8); // properties: session expiry (1 + 4 bytes), receive maximum (1 + 2 bytes)
        body.Add(SessionExpiryInterval);
        var expiry = (uint)Math.Min(uint.MaxValue, sessionExpiry.TotalSeconds);
        AddUInt16(body, (ushort)(expiry >> 16));
        AddUInt16(body, (ushort)expiry);
        body.Add(ReceiveMaximum);
        AddUInt16(body, receiveMaximum);
        AddString(body, clientId);
        AddString(body, userName);
        AddString(body, password);
        return Packet(Connect, body);
    }

    /// <summary>SUBSCRIBE to each filter at QoS 1 at most.</summary>
    public static byte[] SubscribePacket(ushort packetId, IReadOnlyList<string> filters)
    {
        var body = new List<byte>(64);
        AddUInt16(body, packetId);
        body.Add(0); // no properties
        foreach (var filter in filters)
        {
            AddString(body, filter);
            body.Add(1); // maximum QoS 1; no-local, retain-as-published and retain handling at their defaults
        }

        return Packet(Subscribe, body);
    }

    /// <summary>PUBLISH at QoS 1 with no properties.</summary>
    public static byte[] PublishPacket(string topic, ushort packetId, ReadOnlySpan<byte> payload)
    {
        var body = new List<byte>(topic.Length + payload.Length + 8);
        AddString(body, topic);
        AddUInt16(body, packetId);
        body.Add(0); // no properties
        body.AddRange(payload);
        return Packet((byte)(Publish | 0x02), body);
    }

    public static void WritePubAck(Span<byte> destination, ushort packetId)
    {
        destination[0] = PubAck;
        destination[1] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], packetId);
    }

    /// <summary>
    /// Finds a whole packet at the start of <paramref name="buffer"/>: false while its fixed header or body has not all arrived.
    /// <paramref name="bodyStart"/> and <paramref name="bodyLength"/> place its body after the fixed header.
    /// </summary>
    public static bool TryFrame(ReadOnlySpan<byte> buffer, out int bodyStart, out int bodyLength)
    {
        bodyStart = 0;
        bodyLength = 0;
        if (buffer.Length < 2 || !TryReadVariableInteger(buffer[1..], out bodyLength, out var used))
        {
            return false;
        }

        bodyStart = 1 + used;
        return buffer.Length - bodyStart >= bodyLength;
    }

    /// <summary>The fixed header's length and the remaining length a packet of <paramref name="buffer"/> announces, once enough of it arrived.</summary>
    public static bool TryReadVariableInteger(ReadOnlySpan<byte> buffer, out int value, out int used)
    {
        value = 0;
        for (used = 0; used < Math.Min(4, buffer.Length);)
        {
            var digit = buffer[used];
            value |= (digit & 0x7F) << (7 * used);
            used++;
            if ((digit & 0x80) == 0)
            {
                return true;
            }
        }

        if (used == 4)
        {
            throw new InvalidDataException("the broker sent a malformed packet length");
        }

        return false;
    }

    /// <summary>A PUBLISH body: topic, packet id (QoS 1), payload after the properties.</summary>
    public static (string Topic, ushort PacketId, ReadOnlyMemory<byte> Payload) ReadPublish(byte header, ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var qos = (header >> 1) & 0x03;
        if (qos > 1)
        {
            throw new InvalidDataException($"the broker delivered at QoS {qos} on a subscription of QoS 1");
        }

        var topicLength = BinaryPrimitives.ReadUInt16BigEndian(span);
        var topic = Encoding.UTF8.GetString(span.Slice(2, topicLength));
        var at = 2 + topicLength;
        ushort packetId = 0;
        if (qos == 1)
        {
            packetId = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
            at += 2;
        }

        if (!TryReadVariableInteger(span[at..], out var properties, out var used))
        {
            throw new InvalidDataException("the broker sent a PUBLISH with malformed properties");
        }

        return (topic, packetId, body[(at + used + properties)..]);
    }

    /// <summary>The reason codes at the end of a SUBACK, one per filter, after its packet id and properties.</summary>
    public static ReadOnlySpan<byte> ReadSubAckReasons(ReadOnlySpan<byte> body) =>
        TryReadVariableInteger(body[2..], out var properties, out var used) ? body[(2 + used + properties)..] : throw new InvalidDataException("the broker sent a malformed SUBACK");

    private static void AddString(List<byte> body, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AddUInt16(body, (ushort)bytes.Length);
        body.AddRange(bytes);
    }

    private static void AddUInt16(List<byte> body, ushort value)
    {
        body.Add((byte)(value >> 8));
        body.Add((byte)value);
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
