using System.Text.Json;
using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Explanation;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeMl.Agent.Tests.Explanation;

public sealed class ExplanationServiceTests
{
    private static readonly InferenceOptions Inference = new() { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 };

    /// <summary>Occlusion for a model without a map (4x2 cells here), the model's own 4x2 map for one that names it.</summary>
    [Theory]
    [InlineData("dynamic", "occlusion")]
    [InlineData("map", "map")]
    public async Task Escalated_frame_gets_a_heatmap_and_its_raw_grid_in_the_store(string version, string method)
    {
        using var directory = new TempDirectory();
        var options = new ExplanationOptions { Enabled = true, Cells = 4 };
        using var models = BrightSpot(version);
        var queue = new ExplanationQueue(4);
        var store = new ExplanationStore(directory.Path);
        using var service = new ExplanationService(queue, store, models, Inference, options, NullLogger<ExplanationService>.Instance);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await service.StartAsync(deadline.Token);

        Offer(queue, "part/17", $"bright-spot:{version}", new Verdict(BrightSpotModel.SpotLabel, 0.6f, Decision.Escalate));
        await Poll.UntilAsync(() => service.Made == 1, "a heatmap", deadline.Token);
        await service.StopAsync(deadline.Token);

        Assert.True(File.Exists(directory.File("part_17.png")));
        using var grid = JsonDocument.Parse(await File.ReadAllBytesAsync(directory.File("part_17.json")));
        Assert.Equal(method, grid.RootElement.GetProperty("method").GetString());
        Assert.Equal("spot", grid.RootElement.GetProperty("label").GetString());
        Assert.Equal((4, 2), (grid.RootElement.GetProperty("columns").GetInt32(), grid.RootElement.GetProperty("rows").GetInt32()));
        Assert.True(grid.RootElement.GetProperty("heat")[2].GetSingle() > 0.95f);
    }

    [Fact]
    public async Task Stopping_host_leaves_the_queued_frames_unexplained_rather_than_waiting_for_their_heatmaps()
    {
        using var directory = new TempDirectory();
        using var models = BrightSpot();
        var queue = new ExplanationQueue(4);
        for (var i = 0; i < 4; i++)
        {
            Offer(queue, $"part/{i}", "bright-spot:dynamic", new Verdict(BrightSpotModel.SpotLabel, 0.6f, Decision.Escalate));
        }

        // The host stops as the first heatmap is written; the stop cancels at once, then waits for the service.
        ExplanationService? service = null;
        Task? stopping = null;
        var logger = new ListLogger<ExplanationService>((_, message) =>
        {
            if (message.StartsWith("Heatmap for", StringComparison.Ordinal))
            {
                stopping ??= service!.StopAsync(CancellationToken.None);
            }
        });
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        service = new ExplanationService(queue, new ExplanationStore(directory.Path), models, Inference, new ExplanationOptions { Enabled = true, Cells = 4 }, logger);
        using (service)
        {
            await service.StartAsync(deadline.Token);
            await Poll.UntilAsync(() => Volatile.Read(ref stopping) is not null, "the first heatmap", deadline.Token);
            await stopping!.WaitAsync(deadline.Token);
        }

        Assert.Equal(1, service.Made);
        Assert.Equal(0, service.Skipped);
        Assert.Single(Directory.GetFiles(directory.Path, "*.png"));
    }

    [Fact]
    public async Task Frame_of_a_model_no_longer_active_is_skipped_and_counted()
    {
        using var directory = new TempDirectory();
        using var models = BrightSpot();
        var queue = new ExplanationQueue(4);
        using var service = new ExplanationService(queue, new ExplanationStore(directory.Path), models, Inference, new ExplanationOptions { Enabled = true }, NullLogger<ExplanationService>.Instance);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await service.StartAsync(deadline.Token);

        Offer(queue, "old", "bright-spot:retired", new Verdict(1, 0.6f, Decision.Audit));
        await Poll.UntilAsync(() => service.Skipped == 1, "the frame skipped", deadline.Token);
        await service.StopAsync(deadline.Token);

        Assert.Equal(0, service.Made);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    private static ModelHolder BrightSpot(string version = "dynamic") => new(LoadedModel.Load(BrightSpotModel.Package(version), Inference), TimeProvider.System);

    private static void Offer(ExplanationQueue queue, string name, string modelId, Verdict verdict)
    {
        var slot = new FrameSlot { Name = name, ModelId = modelId, Verdict = verdict };
        slot.Load(BrightSpotModel.Png());
        queue.Offer(slot);
    }
}
