using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Metrics;
using EdgeMl.Agent.Tests.Outcomes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.Tests.Metrics;

public sealed class AgentMetricsTests
{
    [Fact]
    public async Task Frames_counted_by_the_sink_appear_in_the_prometheus_scrape()
    {
        using var host = Host(("Agent:Metrics:Port", "0"));
        await host.StartAsync();
        var sink = host.Services.GetRequiredService<AgentMetrics>();
        await sink.ConsumeAsync(SampleOutcomes.Scored("f-1", decision: Decision.Escalate, model: SampleOutcomes.V2), CancellationToken.None);
        await sink.ConsumeAsync(SampleOutcomes.Scored("f-2", decision: Decision.Escalate, model: SampleOutcomes.V2), CancellationToken.None);
        await sink.ConsumeAsync(SampleOutcomes.Failed("f-3"), CancellationToken.None);

        using var client = new HttpClient();
        var text = await client.GetStringAsync(new Uri($"http://127.0.0.1:{host.Services.GetRequiredService<MetricsEndpoint>().Port}/metrics"));
        await host.StopAsync();

        Assert.Matches("(?m)^edgeml_agent_frames_total\\{[^}]*decision=\"escalate\"[^}]*version=\"2.0.0\"[^}]*\\} 2", text);
        Assert.Matches("(?m)^edgeml_agent_frames_total\\{[^}]*decision=\"error\"[^}]*\\} 1", text);
        Assert.Contains("edgeml_agent_frame_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Is_off_unless_a_port_is_set()
    {
        using var host = Host();

        Assert.Null(host.Services.GetService<MetricsEndpoint>());
        Assert.Null(host.Services.GetService<AgentMetrics>());
    }

    [Fact]
    public void Refuses_an_address_that_is_not_an_ip_address_in_one_message()
    {
        var refused = Assert.Throws<ArgumentException>(() => Host(("Agent:Metrics:Port", "99999"), ("Agent:Metrics:Address", "somewhere")));

        Assert.Equal(
            "Agent:Metrics:Port is 99999; use 1-65535 (or 0 for a port the OS chooses); " +
            "Agent:Metrics:Address 'somewhere' is not an IP address; use 127.0.0.1 (default) or the interface's address",
            refused.Message);
    }

    private static IHost Host(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging().AddAgentMetrics(configuration);
        return builder.Build();
    }
}
