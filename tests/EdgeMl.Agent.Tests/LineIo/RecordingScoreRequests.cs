using EdgeMl.Agent.LineIo;

namespace EdgeMl.Agent.Tests.LineIo;

/// <summary>Stands in for the pipeline: remembers which parts asked for a frame.</summary>
internal sealed class RecordingScoreRequests : IScoreRequests
{
    public List<long> Parts { get; } = [];

    public void ScoreNextFrame(long partId) => Parts.Add(partId);
}
