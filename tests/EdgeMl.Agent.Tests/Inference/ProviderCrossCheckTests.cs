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
    public void Auto_keeps_a_candidate_that_agrees_with_the_cpu()
    {
        using var candidate = Load("v2");
        using var scorer = new ModelScorer(candidate);

        var chosen = LoadedModel.VerifiedAgainstCpu(candidate, scorer.Score, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Auto, WarmupRuns = 1 });

        Assert.Same(candidate, chosen);
    }

    [Fact]
    public void Auto_falls_back_to_the_cpu_with_the_reason_when_the_candidate_disagrees()
    {
        using var candidate = Load("v2");
        using var stuck = new StuckScorer(candidate);

        using var chosen = LoadedModel.VerifiedAgainstCpu(candidate, stuck.Score, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Auto, WarmupRuns = 1 });

        Assert.NotSame(candidate, chosen);
        Assert.Equal(ExecutionProviderKind.Auto, chosen.Provider.Requested);
        Assert.Equal("cpu", chosen.Provider.Provider);
        Assert.StartsWith("cpu was not used: its probabilities differ from the CPU's by up to ", chosen.Provider.FallbackReason, StringComparison.Ordinal);
        Assert.False(candidate.IsDisposed, "the caller still holds the candidate's scorer");
    }

    [Fact]
    public void Cuda_refuses_a_candidate_that_disagrees_with_the_cpu()
    {
        using var candidate = Load("v2");
        using var stuck = new StuckScorer(candidate);

        var error = Assert.Throws<ExecutionProviderUnavailableException>(
            () => LoadedModel.VerifiedAgainstCpu(candidate, stuck.Score, new InferenceOptions { ExecutionProvider = ExecutionProviderKind.Cuda, WarmupRuns = 1 }));

        Assert.StartsWith("execution provider 'cuda' was requested but its probabilities differ from the CPU's", error.Message, StringComparison.Ordinal);
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
