using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Tests.Outbox;

public sealed class OutboxStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Keeps_a_message_across_restarts_until_it_is_acknowledged()
    {
        using (var store = Open())
        {
            Assert.Equal(OutboxAdmission.Accepted, store.Enqueue(OutboxKind.Telemetry, "a", [1, 2]));
            Assert.Equal(OutboxAdmission.Accepted, store.Enqueue(OutboxKind.Case, "b", [3]));
        }

        using (var store = Open())
        {
            Assert.Equal(["a", "b"], store.ReadBatch(10).Select(m => m.Id));
            Assert.Equal(["a"], store.ReadBatch(1).Select(m => m.Id));
            Assert.True(store.Acknowledge("a"));
            Assert.False(store.Acknowledge("a"));
        }

        using (var store = Open())
        {
            var left = Assert.Single(store.ReadBatch(10));
            Assert.Equal(("b", OutboxKind.Case), (left.Id, left.Kind));
            Assert.Equal(new byte[] { 3 }, left.Payload);
            Assert.Equal(new OutboxUsage(1, 1, 0), store.Usage);
        }
    }

    [Fact]
    public void Enqueueing_an_id_twice_writes_it_once()
    {
        using var store = Open();
        Assert.Equal(OutboxAdmission.Accepted, store.Enqueue(OutboxKind.Case, "case-1", [1]));
        Assert.Equal(OutboxAdmission.Duplicate, store.Enqueue(OutboxKind.Case, "case-1", [2]));
        Assert.Equal(new byte[] { 1 }, Assert.Single(store.ReadBatch(10)).Payload);
    }

    [Fact]
    public void When_full_drops_the_oldest_telemetry_and_counts_it_across_restarts()
    {
        using (var store = Open(maxMessages: 16))
        {
            for (var i = 0; i < 16; i++)
            {
                store.Enqueue(i == 0 ? OutboxKind.Case : OutboxKind.Telemetry, $"m-{i}", [(byte)i]);
            }

            Assert.Equal(OutboxAdmission.Accepted, store.Enqueue(OutboxKind.Case, "case-new", [99]));
            Assert.Equal(OutboxAdmission.Accepted, store.Enqueue(OutboxKind.Telemetry, "t-new", [98]));
        }

        using (var reopened = Open(maxMessages: 16))
        {
            var ids = reopened.ReadBatch(100).Select(m => m.Id).ToList();
            Assert.Equal(["m-0", .. Enumerable.Range(3, 13).Select(i => $"m-{i}"), "case-new", "t-new"], ids);
            Assert.Equal(2, reopened.Usage.DroppedTelemetry);
        }
    }

    [Fact]
    public void When_full_of_cases_refuses_a_case_instead_of_dropping_one()
    {
        using var store = Open(maxMessages: 16);
        for (var i = 0; i < 16; i++)
        {
            store.Enqueue(OutboxKind.Case, $"case-{i}", [(byte)i]);
        }

        Assert.Equal(OutboxAdmission.Refused, store.Enqueue(OutboxKind.Case, "case-16", [16]));
        Assert.Equal(OutboxAdmission.Refused, store.Enqueue(OutboxKind.Telemetry, "t", [0]));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"case-{i}"), store.ReadBatch(100).Select(m => m.Id));
        Assert.Equal(new OutboxUsage(16, 16, 1), store.Usage);
    }

    [Fact]
    public void Stays_within_its_byte_bound_by_dropping_the_oldest_telemetry()
    {
        using var store = Open(maxBytes: 64 * 1024);
        var payload = new byte[30 * 1024];
        store.Enqueue(OutboxKind.Telemetry, "t-0", payload);
        store.Enqueue(OutboxKind.Case, "c-0", payload);
        Assert.Equal(OutboxAdmission.Accepted, store.Enqueue(OutboxKind.Telemetry, "t-1", payload));

        Assert.Equal(["c-0", "t-1"], store.ReadBatch(10).Select(m => m.Id));
        Assert.Equal(new OutboxUsage(2, 60 * 1024, 1), store.Usage);
        Assert.Equal(OutboxAdmission.Refused, store.Enqueue(OutboxKind.Case, "too-big", new byte[65 * 1024]));
        Assert.Equal(2, store.Usage.Messages);
    }

    [Fact]
    public async Task Refuses_to_start_with_bounds_too_small_naming_each()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outbox:MaxBytes"] = "10",
            ["Outbox:MaxMessages"] = "1",
        }).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOutbox(configuration, _dir.Path);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Outbox:MaxBytes 10", error.Message, StringComparison.Ordinal);
        Assert.Contains("Outbox:MaxMessages 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lives_in_the_data_directory_by_default()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOutbox(new ConfigurationBuilder().Build(), _dir.Path);
        using var host = builder.Build();
        await host.StartAsync();
        host.Services.GetRequiredService<OutboxStore>().Enqueue(OutboxKind.Event, "e", [1]);
        await host.StopAsync();

        Assert.True(File.Exists(_dir.File("outbox.db")));
    }

    public void Dispose() => _dir.Dispose();

    private OutboxStore Open(long maxMessages = 100_000, long maxBytes = 256L * 1024 * 1024) =>
        new(Options.Create(new OutboxOptions { Path = _dir.File("outbox.db"), MaxMessages = maxMessages, MaxBytes = maxBytes }), TimeProvider.System, NullLogger<OutboxStore>.Instance);
}
