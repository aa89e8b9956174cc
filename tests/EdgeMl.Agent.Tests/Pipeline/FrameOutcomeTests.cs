using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Outcomes;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Pipeline;

public sealed class FrameOutcomeTests
{
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 };

    [Fact]
    public async Task Each_scored_frame_becomes_an_outcome_that_outlives_its_pooled_slot()
    {
        var active = LoadedModel.Load(ModelPackage.Load(Repo.Package("v1")), Cpu);
        var shadow = LoadedModel.Load(ModelPackage.Load(Repo.Package("v2")), Cpu);
        using var models = new ModelHolder(TimeProvider.System);
        models.Swap(active, shadow);
        var source = new FolderFrameSource(Path.Combine(Repo.Models, "samples"));
        var outcomes = new List<(FrameOutcome Outcome, float[] Probabilities)>();

        await new FramePipeline(models, workers: 2).RunAsync(source, slot => outcomes.Add((slot.ToOutcome(TimeProvider.System), slot.Probabilities.ToArray())), CancellationToken.None);

        Assert.Equal(source.Files.Select(Path.GetFileName), outcomes.Select(o => o.Outcome.FrameId));
        Assert.All(outcomes, o =>
        {
            var (outcome, probabilities) = o;
            Assert.Null(outcome.Error);
            Assert.Equal(new ModelVersionId("crack-detector", active.Manifest.Version), outcome.Model);
            Assert.Equal(active.Labels, outcome.Labels);
            Assert.Equal(probabilities, outcome.Probabilities);
            Assert.Equal(outcome.Labels[outcome.Verdict.Label], outcome.TopLabel);
            Assert.Equal(active.Provider.Provider, outcome.ExecutionProvider);
            Assert.True(outcome.Latencies.Decode > TimeSpan.Zero && outcome.Latencies.Inference > TimeSpan.Zero);
            Assert.True(outcome.Latencies.EndToEnd >= outcome.Latencies.Decode + outcome.Latencies.Inference);
            Assert.NotNull(outcome.Input);
            Assert.InRange(outcome.Input.Value.Brightness, 1, 254);
            Assert.True(outcome.Input.Value.Contrast > 0 && outcome.Input.Value.Sharpness > 0);
            Assert.Equal(new ModelVersionId("crack-detector", shadow.Manifest.Version), outcome.Shadow?.Model);
        });
        Assert.Contains(outcomes, o => o.Outcome.Shadow?.Agreed == true);
    }

    [Fact]
    public void Only_a_frame_that_goes_to_a_person_carries_its_image_and_every_outcome_its_part()
    {
        var slot = new FrameSlot();
        slot.Load([0xFF, 0xD8, 0xFF, 1, 2, 3]);
        slot.Verdict = new EdgeMl.Agent.Decisions.Verdict(0, 0.99f, EdgeMl.Agent.Decisions.Decision.Auto);
        var confident = slot.ToOutcome(TimeProvider.System, partId: 4, withImage: true);
        slot.Verdict = new EdgeMl.Agent.Decisions.Verdict(0, 0.6f, EdgeMl.Agent.Decisions.Decision.Escalate);
        var escalated = slot.ToOutcome(TimeProvider.System, partId: 5, withImage: true);
        var withoutCases = slot.ToOutcome(TimeProvider.System);

        Assert.True(confident.Image.IsEmpty);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF, 1, 2, 3 }, escalated.Image.ToArray());
        Assert.True(withoutCases.Image.IsEmpty);
        Assert.Equal((4L, 5L, (long?)null), (confident.PartId!.Value, escalated.PartId!.Value, withoutCases.PartId));
    }
}
