using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class RevisionReplayTests
{
    [Fact]
    public async Task An_older_state_replayed_after_a_restart_is_refused_and_reported()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-replay-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await fleet.PushAsync(RepoPaths.Package("v2"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a");
        await agent.StartAsync();
        var device = agent.DeviceId!;
        await fleet.SetDesiredStateAsync(device, "crack-detector:v1");
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", TimeSpan.FromSeconds(30), "the agent to load v1");
        var accepted = await fleet.SetDesiredStateAsync(device, "crack-detector:v2");
        await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.ActiveModel == "crack-detector:v2", TimeSpan.FromSeconds(30), "the device to report v2 active");
        await agent.StopAsync();

        // A replay: the server (restored from an old backup, or an attacker holding its old answers)
        // signs revision 1 again, and that revision once said "roll back to v1".
        await using (var connection = await fleet.Services.GetRequiredService<FleetStores>().Database.OpenAsync(CancellationToken.None))
        {
            await connection.CreateCommand("UPDATE desired_states SET revision = 1, active_model = @model, is_rollback = @rollback WHERE device_id = @device")
                .Bind("@model", "crack-detector:v1").Bind("@rollback", true).Bind("@device", device)
                .ExecuteNonQueryAsync();
        }

        await agent.StartAsync();

        var refused = await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.State == DeviceModelState.Refused, TimeSpan.FromSeconds(30), "the device to report the replay refused");
        Assert.Contains($"older than {accepted}", refused.Reason, StringComparison.Ordinal);
        Assert.Equal("crack-detector:v2", agent.ActiveModel);
        Assert.Equal("crack-detector:v2", refused.ActiveModel);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Abandoned_downloads_and_staging_folders_are_removed_when_the_agent_starts()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-clean-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a");
        await agent.StartAsync();
        await fleet.SetDesiredStateAsync(agent.DeviceId!, "crack-detector:v1");
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", TimeSpan.FromSeconds(30), "the agent to load v1");
        await agent.StopAsync();
        // What an agent killed mid-update leaves behind.
        var downloads = Directory.CreateDirectory(Path.Combine(agent.DataDirectory, "downloads")).FullName;
        await File.WriteAllTextAsync(Path.Combine(downloads, "crack-detector-v9-0123456789abcdef.partial"), "half a bundle");
        await File.WriteAllTextAsync(Path.Combine(downloads, "crack-detector-v8-0123456789abcdef.bundle"), "a bundle never installed");
        var staging = Directory.CreateDirectory(Path.Combine(agent.DataDirectory, "models", "crack-detector", "v9.staging")).FullName;
        await File.WriteAllTextAsync(Path.Combine(staging, "model.onnx"), "unpacked, unverified");

        await agent.StartAsync();

        Assert.Empty(Directory.GetFiles(downloads));
        Assert.False(Directory.Exists(staging));
        Assert.Equal("crack-detector:v1", agent.ActiveModel);
        await agent.StopAsync();
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
