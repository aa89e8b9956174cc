namespace EdgeMl.Agent.LineIo;

/// <summary>The line's one need of the scoring side: score the next frame for this part, and answer with <see cref="PartRouter.Decide"/>.</summary>
public interface IScoreRequests
{
    void ScoreNextFrame(long partId);
}
