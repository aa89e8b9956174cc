using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Sync;

public sealed class FolderWatchTests
{
    [Fact]
    public async Task Agent_scores_frames_that_appear_in_its_input_folder_with_the_model_it_was_given()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-watch-" + Guid.NewGuid().ToString("N")[..10]);
        var input = Directory.CreateDirectory(Path.Combine(root, "camera")).FullName;
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a", input: input);
        await agent.StartAsync();
        var request = new StartRolloutRequest { Model = "crack-detector:v1", Mode = "canary" };
        request.Waves.Add("100%");
        await fleet.WaitForRolloutAsync((await fleet.Admin.StartRolloutAsync(request)).RolloutId, "completed");
        await Eventually.HoldsAsync(() => Task.FromResult(agent.ActiveModel), m => m == "crack-detector:v1", TimeSpan.FromSeconds(20), "the agent to load v1");

        // A camera writes each frame under a temporary name and renames it when complete.
        var samples = Directory.GetFiles(Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples"), "*.jpg").Take(3).ToList();
        foreach (var (sample, i) in samples.Select((s, i) => (s, i)))
        {
            var temporary = Path.Combine(input, $"frame-{i}.jpg.tmp");
            File.Copy(sample, temporary);
            File.Move(temporary, Path.Combine(input, $"frame-{i}.jpg"));
        }

        await Eventually.HoldsAsync(() => Task.FromResult(agent.Counters.Frames), n => n == 3, TimeSpan.FromSeconds(20), "three frames scored");
        Assert.Equal(0, agent.Counters.Errors);
        Assert.Equal(0, agent.Counters.Dropped);
        Directory.Delete(root, recursive: true);
    }
}
