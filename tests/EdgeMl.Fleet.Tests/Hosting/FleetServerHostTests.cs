using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Tests.Hosting;

public sealed class FleetServerHostTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-host-" + Guid.NewGuid().ToString("N")[..10]);

    [Theory]
    [InlineData("0.0.0.0", true)]
    [InlineData("127.0.0.1", false)]
    public async Task Warns_at_start_when_serving_beyond_loopback_without_tls(string bind, bool warns)
    {
        var logs = new CapturedWarnings();
        await using (var fleet = await TestFleet.StartAsync(_root, services => services.AddSingleton<ILoggerProvider>(logs), bind: bind))
        {
            Assert.Equal(warns, logs.Warnings.Any(w => w.Contains("without TLS", StringComparison.Ordinal)));
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Refuses_invalid_server_options_before_touching_the_data_directory()
    {
        var options = new FleetServerOptions { DataDirectory = _root, Bind = "everywhere", GrpcPort = 70000, MqttBroker = "http://broker:1883" };

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(async () => await FleetServerHost.BuildAsync(options));

        Assert.Contains("--bind 'everywhere'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--grpc-port 70000", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--mqtt-broker 'http://broker:1883'", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_root));
    }

    [Fact]
    public async Task Refuses_to_start_with_invalid_sync_options()
    {
        var options = new FleetServerOptions { DataDirectory = _root, GrpcPort = 0, HttpPort = 0, MqttPort = 0 };
        await using var app = await FleetServerHost.BuildAsync(options, configure: s => s.Configure<SyncOptions>(o => o.DownloadChunkBytes = 0));

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(async () => await app.StartAsync());

        Assert.Contains("DownloadChunkBytes", refused.Message, StringComparison.Ordinal);
        Directory.Delete(_root, recursive: true);
    }
}
