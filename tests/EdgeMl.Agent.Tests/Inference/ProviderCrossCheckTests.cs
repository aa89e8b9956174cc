using EdgeMl.Agent.Inference;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Inference;

/// <summary>The check a GPU session must pass against the CPU, played with the CPU on both sides.</summary>
[Trait("Category", "ExecutionProvider")]
public sealed class ProviderCrossCheckTests
{
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu, WarmupRuns = 1 };

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void A_second_session_that_sees_every_frame_agrees_with_the_cpu(string version)
    {
        using var reference = Load(version);
        using var candidate = Load(version);
        using var scorer = new ModelScorer(candidate);

        Assert.Null(LoadedModel.CrossCheck(reference, scorer.Score, Cpu.CrossCheckTolerance));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void A_binding_that_keeps_its_first_frame_is_caught(string version)
    {
        using var reference = Load(version);
        using var candidate = Load(version);
        using var stuck = new StuckScorer(candidate);

        var disagreement = LoadedModel.CrossCheck(reference, stuck.Score, Cpu.CrossCheckTolerance);

        Assert.NotNull(disagreement);
        Assert.StartsWith("its probabilities differ from the CPU's by up to ", disagreement, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_that_answers_nan_disagrees()
    {
        var check = new ProviderCrossCheck(0.01).Compare(
            (_, p) => p.AsSpan().Fill(0.5f),
            (_, p) => p.AsSpan().Fill(float.NaN),
            [new float[1]],
            labels: 2);

        Assert.False(check.Agrees);
    }

    private static LoadedModel Load(string version) => LoadedModel.Load(ModelPackage.Load(Repo.Package(version)), Cpu);

    /// <summary>What a CUDA session did with an input bound once: the device copy of the first frame is scored forever.</summary>
    private sealed class StuckScorer(LoadedModel model) : IDisposable
    {
        private readonly InferenceBuffers _buffers = model.CreateBuffers();
        private bool _bound;

        public void Score(float[] input, float[] probabilities)
        {
            if (!_bound)
            {
                input.CopyTo(_buffers.Input, 0);
                _bound = true;
            }

            model.Score(_buffers, probabilities);
        }

        public void Dispose() => _buffers.Dispose();
    }
}
