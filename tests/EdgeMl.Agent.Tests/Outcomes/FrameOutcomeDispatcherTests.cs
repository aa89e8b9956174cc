using System.Threading.Channels;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Tests.Outcomes;

public sealed class FrameOutcomeDispatcherTests
{
    [Fact]
    public async Task A_stalled_sink_drops_its_oldest_outcomes_and_counts_them_while_the_others_get_every_one()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = Build(s => s.AddFrameOutcomeSink<RecordingSink>().AddFrameOutcomeSink<StalledSink>());
        await host.StartAsync();
        var dispatcher = host.Services.GetRequiredService<FrameOutcomeDispatcher>();
        var recording = host.Services.GetRequiredService<RecordingSink>();
        var stalled = host.Services.GetRequiredService<StalledSink>();

        dispatcher.Publish(SampleOutcomes.Scored("f-0"));
        await Poll.UntilAsync(() => !stalled.Received.IsEmpty, "the stalled sink to take its first outcome", deadline.Token);
        for (var i = 1; i < 20; i++)
        {
            dispatcher.Publish(SampleOutcomes.Scored($"f-{i}"));
        }

        await Poll.UntilAsync(() => recording.Received.Count == 20, "every outcome at the recording sink", deadline.Token);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"f-{i}"), recording.Received);
        Assert.Equal(15, dispatcher.Dropped(stalled));
        Assert.Equal(0, dispatcher.Dropped(recording));

        stalled.Release();
        await Poll.UntilAsync(() => stalled.Received.Count == 5, "the stalled sink to drain its queue", deadline.Token);
        Assert.Equal(["f-0", "f-16", "f-17", "f-18", "f-19"], stalled.Received);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_sink_that_throws_loses_only_that_outcome()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = Build(s => s.AddFrameOutcomeSink<RecordingSink>());
        var recording = host.Services.GetRequiredService<RecordingSink>();
        recording.FailOn.Add("f-1");
        await host.StartAsync();
        var dispatcher = host.Services.GetRequiredService<FrameOutcomeDispatcher>();

        foreach (var id in new[] { "f-0", "f-1", "f-2" })
        {
            dispatcher.Publish(SampleOutcomes.Scored(id));
        }

        await Poll.UntilAsync(() => recording.Received.Count == 2, "the outcomes after the failure", deadline.Token);
        Assert.Equal(["f-0", "f-2"], recording.Received);
        await host.StopAsync();
    }

    [Fact]
    public void Adding_a_sink_twice_registers_it_and_the_sink_host_once()
    {
        var services = new ServiceCollection().AddFrameOutcomeSink<RecordingSink>().AddFrameOutcomeSink<RecordingSink>().AddFrameOutcomeSink<StalledSink>();

        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IFrameOutcomeSink)));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void A_sink_queue_may_not_wait_when_full()
    {
        var error = Assert.Throws<ArgumentException>(() => new FrameOutcomeQueue(8, BoundedChannelFullMode.Wait));
        Assert.Contains("never waits", error.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder.Services);
        return builder.Build();
    }
}
