using EdgeMl.Agent.Pipeline;

namespace EdgeMl.Agent.Batch;

/// <summary>Stores one row per scored file.</summary>
internal interface IScoreWriter : IDisposable
{
    void Write(FrameSlot slot);

    /// <summary>Makes every written row durable.</summary>
    void Complete();
}
