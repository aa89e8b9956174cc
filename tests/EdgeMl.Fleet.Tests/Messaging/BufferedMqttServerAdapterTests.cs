using System.Net.Security;
using System.Net.Sockets;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using EdgeMl.Fleet.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Messaging;

/// <summary>
/// The embedded broker's own listener reads whatever has arrived and serves MQTTnet's small reads from it: packets must come
/// out whole however the bytes were cut, on a plain and on a TLS endpoint.
/// </summary>
public sealed class BufferedMqttServerAdapterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _root = Directory.CreateTempSubdirectory("edgeml-mqtt-listener-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Packets_that_arrive_in_one_write_or_a_byte_at_a_time_are_each_acknowledged_and_stored()
    {
        await using var fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));
        var device = await fleet.EnrolAsync();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", fleet.Options.MqttPort);
        var stream = client.GetStream();
        await ConnectAsync(stream, device);

        // Three PUBLISH in one write: the first read holds all of them.
        var together = new[] { Publish(device.DeviceId, 1, "a-1"), Publish(device.DeviceId, 2, "a-2"), Publish(device.DeviceId, 3, "a-3") };
        await stream.WriteAsync(together.SelectMany(p => p).ToArray());
        int[] acknowledged = [await ReadPubAckAsync(stream), await ReadPubAckAsync(stream), await ReadPubAckAsync(stream)];
        Assert.Equal([1, 2, 3], acknowledged);

        // One PUBLISH a byte at a time: every read ends inside the packet.
        foreach (var b in Publish(device.DeviceId, 4, "a-4"))
        {
            await stream.WriteAsync(new[] { b });
            await stream.FlushAsync();
        }

        Assert.Equal(4, await ReadPubAckAsync(stream));

        // A packet several times the channel's buffer.
        await stream.WriteAsync(Publish(device.DeviceId, 5, "a-5", labels: 5000));
        Assert.Equal(5, await ReadPubAckAsync(stream));
        Assert.Equal(["a-1", "a-2", "a-3", "a-4", "a-5"], await StoredAsync(fleet, device.DeviceId, 5));
    }

    [Fact]
    public async Task Over_tls_a_device_publishes_and_its_aggregate_is_stored()
    {
        var certificate = new TestCertificate(Path.Combine(_root, "pki"));
        await using var fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"), tls: certificate);
        var device = await fleet.EnrolAsync();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", fleet.Options.MqttPort);
        await using var tls = new SslStream(client.GetStream(), false, (_, presented, _, _) =>
            presented is not null && new System.Security.Cryptography.X509Certificates.X509Certificate2(presented).Thumbprint == certificate.Thumbprint);
        await tls.AuthenticateAsClientAsync("localhost");
        await ConnectAsync(tls, device);

        await tls.WriteAsync(Publish(device.DeviceId, 7, "t-1"));
        Assert.Equal(7, await ReadPubAckAsync(tls));
        Assert.Equal(["t-1"], await StoredAsync(fleet, device.DeviceId, 1));
    }

    private static async Task ConnectAsync(Stream stream, Fleet.Devices.Enrolment.Enrolled device)
    {
        await stream.WriteAsync(MqttWire.ConnectPacket(device.DeviceId, device.DeviceId, device.Secret, cleanStart: true, TimeSpan.FromSeconds(60), TimeSpan.Zero, 10));
        var (type, body) = await ReadPacketAsync(stream);
        Assert.Equal(MqttWire.ConnAck, type);
        Assert.Equal(0, body[1]);
    }

    private static byte[] Publish(string deviceId, ushort packetId, string messageId, int labels = 1)
    {
        var aggregate = new ModelAggregate
        {
            MessageId = messageId,
            Role = ModelRole.Active,
            ModelName = "crack-detector",
            ModelVersion = "v2",
            Frames = 10,
            WindowStart = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_767_225_600 + packetId)),
            WindowEnd = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_767_225_601 + packetId)),
        };
        for (var l = 0; l < labels; l++)
        {
            aggregate.LabelCounts.Add($"label-{l}", (ulong)l);
        }

        return MqttWire.PublishPacket(DeviceTopics.Telemetry(deviceId), packetId, aggregate.ToByteArray());
    }

    /// <summary>The packet id of the next PUBACK, which must report success.</summary>
    private static async Task<int> ReadPubAckAsync(Stream stream)
    {
        var (type, body) = await ReadPacketAsync(stream);
        Assert.Equal(MqttWire.PubAck, type);
        // Packet id, then a reason code when the broker sends one (absent means success).
        Assert.True(body.Length == 2 || body[2] < 0x80, "the broker refused the aggregate");
        return (body[0] << 8) | body[1];
    }

    private static async Task<(byte Type, byte[] Body)> ReadPacketAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var header = new byte[1];
        await stream.ReadExactlyAsync(header, timeout.Token);
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            var next = new byte[1];
            await stream.ReadExactlyAsync(next, timeout.Token);
            length |= (next[0] & 0x7F) << shift;
            if ((next[0] & 0x80) == 0)
            {
                break;
            }
        }

        var body = new byte[length];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return ((byte)(header[0] & 0xF0), body);
    }

    private static async Task<string[]> StoredAsync(TestFleet fleet, string deviceId, int count)
    {
        var stored = await Eventually.HoldsAsync(
            () => fleet.Services.GetRequiredService<FleetStores>().Telemetry.ListAsync(new TelemetryQuery { DeviceIds = [deviceId] }, CancellationToken.None),
            s => s.Count >= count, Patience, $"{count} aggregates stored");
        return [.. stored.Select(r => r.Aggregate.MessageId)];
    }
}
