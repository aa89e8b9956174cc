using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Outbox;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Escalation;

/// <summary>The agent's case queue against a real server: durable while the server is away, delivered once, deleted only when acknowledged.</summary>
public sealed class CaseUploadTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-caseupload-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Cases_recorded_while_the_server_is_down_are_retried_and_delivered_once_it_is_back()
    {
        await using var agent = await CaseAgent.EnrolAsync(_fleet, Path.Combine(_root, "agent"));
        await _fleet.StopAsync();
        await agent.StartAsync();
        foreach (var (frame, decision) in new[] { ("f-1", Decision.Escalate), ("f-2", Decision.Audit), ("f-3", Decision.Escalate) })
        {
            await agent.Sink.ConsumeAsync(CaseAgent.Outcome(frame, decision), CancellationToken.None);
        }

        // The server is away: the cases stay on the device, however often the uploader tries.
        Assert.Equal(3, agent.CasesWaiting);
        Assert.Equal(0, agent.Counters.Uploaded);

        await _fleet.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(agent.CasesWaiting), n => n == 0, TimeSpan.FromSeconds(30), "the cases to leave the device");
        var stored = await Stores.Cases.ListAsync(null, CancellationToken.None);
        Assert.Equal(3, stored.Count);
        Assert.Equal(["audit", "escalate", "escalate"], stored.Select(c => c.Decision).Order());
        Assert.All(stored, c => Assert.Equal(("crack-detector:v1", "partial", "open"), (c.Model, c.AutomationLevel, c.Status)));
        Assert.Equal("reject", stored.Single(c => c.Decision == "audit").ModelCall);
        Assert.Equal(3, agent.Counters.Uploaded);
    }

    [Fact]
    public async Task A_case_the_server_took_before_the_agent_died_is_acknowledged_again_and_stored_once()
    {
        await using var agent = await CaseAgent.EnrolAsync(_fleet, Path.Combine(_root, "agent"));
        await agent.Sink.ConsumeAsync(CaseAgent.Outcome("f-1"), CancellationToken.None);
        var waiting = Assert.Single(agent.Outbox.ReadBatch(OutboxKind.Case, 10));

        // The upload reached the server, and the agent was killed before it deleted its copy.
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var identity = EdgeMl.Agent.Sync.DeviceIdentity.Load(Path.Combine(_root, "agent"))!;
        var credentials = new Grpc.Core.Metadata { { "x-edgeml-device", identity.DeviceId }, { "authorization", "Bearer " + identity.Secret } };
        await new CaseService.CaseServiceClient(channel).UploadCaseAsync(CaseUpload.Parser.ParseFrom(waiting.Payload), credentials);

        await agent.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(agent.CasesWaiting), n => n == 0, TimeSpan.FromSeconds(30), "the case to leave the device");
        var stored = Assert.Single(await Stores.Cases.ListAsync(null, CancellationToken.None));
        Assert.Equal(waiting.Id, stored.Id);
        Assert.True(File.Exists(Path.Combine(_root, "server", "cases", stored.Id + ".jpg")));
    }

    [Fact]
    public async Task A_case_waits_for_its_heatmap_and_carries_it()
    {
        var data = Path.Combine(_root, "agent");
        // A wait far longer than the test: the heatmap, written after the case, must be what ends it.
        var settings = new Dictionary<string, string?> { ["Explanation:Enabled"] = "true", ["Cases:HeatmapWait"] = "00:10:00" };
        await using var agent = await CaseAgent.EnrolAsync(_fleet, data, settings: settings);
        await agent.StartAsync();
        await agent.Sink.ConsumeAsync(CaseAgent.Outcome("explained"), CancellationToken.None);

        // The explainer finishes the frame's heatmap after its case was written.
        var heatmap = Path.Combine(data, "explanations", "explained.png");
        Directory.CreateDirectory(Path.GetDirectoryName(heatmap)!);
        // Through a temporary name, as the explainer's store writes it: the uploader polls and must never see half a file.
        await File.WriteAllBytesAsync(heatmap + ".tmp", TestCases.Png);
        File.Move(heatmap + ".tmp", heatmap);

        await Eventually.HoldsAsync(() => Task.FromResult(agent.CasesWaiting), n => n == 0, TimeSpan.FromSeconds(60), "the case to leave the device");
        var explained = Assert.Single(await Stores.Cases.ListAsync(null, CancellationToken.None));
        Assert.True(explained.HasHeatmap);
        Assert.Equal(TestCases.Png, await File.ReadAllBytesAsync(Path.Combine(_root, "server", "cases", explained.Id + ".heatmap")));
        Assert.False(File.Exists(heatmap));
    }

    [Fact]
    public async Task A_case_whose_heatmap_never_comes_goes_without_one_once_the_wait_is_over()
    {
        var data = Path.Combine(_root, "agent");
        var settings = new Dictionary<string, string?> { ["Explanation:Enabled"] = "true", ["Cases:HeatmapWait"] = "00:00:01" };
        await using var agent = await CaseAgent.EnrolAsync(_fleet, data, settings: settings);
        await agent.StartAsync();
        await agent.Sink.ConsumeAsync(CaseAgent.Outcome("unexplained"), CancellationToken.None);

        await Eventually.HoldsAsync(() => Task.FromResult(agent.CasesWaiting), n => n == 0, TimeSpan.FromSeconds(60), "the case to leave the device");
        Assert.False(Assert.Single(await Stores.Cases.ListAsync(null, CancellationToken.None)).HasHeatmap);
    }

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();
}
