using EdgeMl.Agent.Decisions;
using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Pipeline;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Pipeline;

public sealed class FramePipelineTests
{
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 };

    [Fact]
    public async Task Swapping_models_mid_stream_drops_no_frame_and_scores_none_twice()
    {
        const int frames = 120;
        using var models = new ModelHolder(LoadedModel.Load(ModelPackage.Load(Repo.Package("v1")), Cpu), TimeProvider.System);
        var next = LoadedModel.Load(ModelPackage.Load(Repo.Package("v2")), Cpu);
        var seen = new List<(long Sequence, string? Model, Decision Decision)>();

        await new FramePipeline(models, workers: 2).RunAsync(
            new SampleSource(frames),
            slot =>
            {
                seen.Add((slot.Sequence, slot.ModelId, slot.Verdict.Decision));
                if (seen.Count == frames / 3)
                {
                    models.Swap(next, null);
                }
            },
            CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, frames).Select(i => (long)i), seen.Select(s => s.Sequence));
        Assert.DoesNotContain(seen, s => s.Decision == Decision.Error);
        var firstV2 = seen.FindIndex(s => s.Model == "crack-detector:v2");
        Assert.InRange(firstV2, frames / 3, (frames / 3) + 8);
        Assert.All(seen.Take(firstV2), s => Assert.Equal("crack-detector:v1", s.Model));
        Assert.All(seen.Skip(firstV2), s => Assert.Equal("crack-detector:v2", s.Model));
    }

    [Fact]
    public async Task Frames_without_a_loaded_model_are_escalated_to_a_human_not_lost()
    {
        using var models = new ModelHolder(TimeProvider.System);
        var outcomes = new List<(Decision Decision, string? Reason)>();

        await new FramePipeline(models, workers: 1).RunAsync(new SampleSource(3), slot => outcomes.Add((slot.Verdict.Decision, slot.Error)), CancellationToken.None);

        Assert.Equal(Enumerable.Repeat((Decision.Escalate, (string?)"no model"), 3), outcomes);
    }

    [Fact]
    public async Task Unloading_the_model_mid_stream_escalates_the_frames_after_it()
    {
        const int frames = 40;
        using var models = new ModelHolder(LoadedModel.Load(ModelPackage.Load(Repo.Package("v1")), Cpu), TimeProvider.System);
        var decisions = new List<Decision>();

        await new FramePipeline(models, workers: 2).RunAsync(
            new SampleSource(frames),
            slot =>
            {
                decisions.Add(slot.Verdict.Decision);
                if (decisions.Count == frames / 2)
                {
                    models.Unload();
                }
            },
            CancellationToken.None);

        Assert.Equal(frames, decisions.Count);
        Assert.DoesNotContain(Decision.Error, decisions);
        Assert.Equal(Decision.Escalate, decisions[^1]);
    }

    [Fact]
    public async Task A_shadow_that_throws_on_every_frame_costs_no_frame_and_its_set_is_released_after_a_swap()
    {
        const int frames = 60;
        var active = LoadedModel.Load(ModelPackage.Load(Repo.Package("v1")), Cpu);
        var shadow = LoadedModel.Load(ModelPackage.Load(Repo.Package("v2")), Cpu);
        // A layout the model does not take: ONNX Runtime refuses every shadow run.
        shadow.Manifest.Input.Layout = "NHWC";
        using var models = new ModelHolder(TimeProvider.System);
        models.Swap(active, shadow);
        var broken = models.Current!;
        var seen = new List<(long Sequence, Decision Decision)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await new FramePipeline(models, workers: 2).RunAsync(
            new SampleSource(frames),
            slot =>
            {
                seen.Add((slot.Sequence, slot.Verdict.Decision));
                if (seen.Count == frames / 2)
                {
                    models.Swap(active, null);
                }
            },
            deadline.Token);

        Assert.Equal(Enumerable.Range(0, frames).Select(i => (long)i), seen.Select(s => s.Sequence));
        Assert.DoesNotContain(seen, s => s.Decision == Decision.Error);
        Assert.True(broken.ShadowErrors >= frames / 2, $"{broken.ShadowErrors} shadow errors");
        Assert.Equal(0, broken.ShadowFrames);
        Assert.True(shadow.IsDisposed, "the retired shadow model was not released");
        Assert.False(active.IsDisposed);
    }

    [Fact]
    public async Task A_frame_whose_model_cannot_score_is_an_error_and_its_lease_is_released()
    {
        var model = LoadedModel.Load(ModelPackage.Load(Repo.Package("v1")), Cpu);
        // A layout the model does not take: ONNX Runtime refuses every run.
        model.Manifest.Input.Layout = "NHWC";
        var models = new ModelHolder(model, TimeProvider.System);
        var outcomes = new List<(long Sequence, Decision Decision, string? Error)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await new FramePipeline(models, workers: 2).RunAsync(new SampleSource(10), slot => outcomes.Add((slot.Sequence, slot.Verdict.Decision, slot.Error)), deadline.Token);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), outcomes.Select(o => o.Sequence));
        Assert.All(outcomes, o => Assert.Equal(Decision.Error, o.Decision));
        Assert.All(outcomes, o => Assert.StartsWith("scoring failed: OnnxRuntimeException", o.Error, StringComparison.Ordinal));
        models.Dispose();
        Assert.True(model.IsDisposed, "a frame kept its lease on the model set");
    }

    /// <summary>The bundled sample JPEGs, over and over, <paramref name="count"/> frames in all.</summary>
    private sealed class SampleSource(int count) : IFrameSource
    {
        private readonly string[] _files = Directory.GetFiles(Path.Combine(Repo.Models, "samples"), "*.jpg").Order(StringComparer.Ordinal).ToArray();
        private int _read;

        public ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken)
        {
            if (_read == count)
            {
                return ValueTask.FromResult(false);
            }

            var file = _files[_read++ % _files.Length];
            slot.Name = Path.GetFileName(file);
            slot.LoadFile(file);
            return ValueTask.FromResult(true);
        }
    }
}
