using EdgeMl.Agent.Capture;
using EdgeMl.Agent.Outbox;
using EdgeMl.Agent.Telemetry;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Agent.Tests.Outcomes;
using EdgeMl.Contracts.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Agent.Tests.Telemetry;

public sealed class TelemetrySpoolerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Writes_each_interval_s_aggregates_into_the_outbox_with_the_frames_dropped_meanwhile()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = Build(new() { ["Telemetry:Interval"] = "00:00:05" });
        await host.StartAsync();
        var aggregator = host.Services.GetRequiredService<TelemetryAggregator>();
        var outbox = host.Services.GetRequiredService<OutboxStore>();
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-0"), default);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-1"), default);
        host.Services.GetRequiredService<FrameCounters>().AddDropped(2);

        _time.Advance(TimeSpan.FromSeconds(5));
        await Poll.UntilAsync(() => outbox.Usage.Messages == 1, "the first interval's aggregate in the outbox", deadline.Token);
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-2"), default);
        _time.Advance(TimeSpan.FromSeconds(5));
        await Poll.UntilAsync(() => outbox.Usage.Messages == 2, "the second interval's aggregate in the outbox", deadline.Token);

        var messages = outbox.ReadBatch(10);
        Assert.All(messages, m => Assert.Equal(OutboxKind.Telemetry, m.Kind));
        var aggregates = messages.Select(m => ModelAggregate.Parser.ParseFrom(m.Payload)).ToList();
        Assert.Equal(messages.Select(m => m.Id), aggregates.Select(a => a.MessageId));
        Assert.Equal([(2UL, 2UL), (1UL, 0UL)], aggregates.Select(a => (a.Frames, a.DroppedFrames)));
        Assert.Equal(aggregates[0].WindowEnd, aggregates[1].WindowStart);
        Assert.Equal(TimeSpan.FromSeconds(5), aggregates[1].WindowEnd.ToDateTimeOffset() - aggregates[1].WindowStart.ToDateTimeOffset());
        Assert.All(aggregates, a => Assert.False(a.HasGpuMemoryBytes, "a CPU window carries no GPU memory"));
        Assert.Null(host.Services.GetRequiredService<NvmlGpuMemory>().Unavailable);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_cuda_window_where_nvml_cannot_answer_is_spooled_without_gpu_memory()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = Build(new() { ["Telemetry:Interval"] = "00:00:05" });
        await host.StartAsync();
        var aggregator = host.Services.GetRequiredService<TelemetryAggregator>();
        var outbox = host.Services.GetRequiredService<OutboxStore>();
        await aggregator.ConsumeAsync(SampleOutcomes.Scored("f-0") with { ExecutionProvider = "cuda" }, default);

        _time.Advance(TimeSpan.FromSeconds(5));
        await Poll.UntilAsync(() => outbox.Usage.Messages == 1, "the CUDA window's aggregate in the outbox", deadline.Token);

        var aggregate = ModelAggregate.Parser.ParseFrom(outbox.ReadBatch(10).Single().Payload);
        Assert.Equal(("cuda", 1UL), (aggregate.ExecutionProvider, aggregate.Frames));
        // No NVIDIA driver here, and this test process holds no CUDA context anywhere: NVML has no figure for it.
        Assert.False(aggregate.HasGpuMemoryBytes);
        await host.StopAsync();
    }

    [Fact]
    public async Task Refuses_to_start_with_an_interval_under_a_second()
    {
        using var host = Build(new() { ["Telemetry:Interval"] = "00:00:00.5" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Telemetry:Interval", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private IHost Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton<FrameCounters>();
        builder.Services.AddOutbox(configuration, _dir.Path);
        builder.Services.AddTelemetry(configuration);
        return builder.Build();
    }
}
