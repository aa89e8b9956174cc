using System.Net;
using System.Net.Sockets;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Messaging;

public sealed class EmbeddedBrokerTests
{
    [Fact]
    public async Task Every_listener_binds_where_bind_says_and_nowhere_else()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-bind-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root);
        var bound = fleet.Services.GetRequiredService<ListeningEndpoints>();

        using var v4 = new TcpClient(AddressFamily.InterNetwork);
        await v4.ConnectAsync(IPAddress.Loopback, bound.Mqtt!.Port);
        using var v6 = new TcpClient(AddressFamily.InterNetworkV6);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await v6.ConnectAsync(IPAddress.IPv6Loopback, bound.Mqtt.Port));

        Assert.All([bound.Grpc, bound.Http, bound.Mqtt], e => Assert.Equal(IPAddress.Loopback, e.Address));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Directory.Delete(root, recursive: true);
    }
}
