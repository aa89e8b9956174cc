namespace EdgeMl.Agent.Pipeline;

/// <summary>Where frames come from: a folder, a camera, a push endpoint.</summary>
public interface IFrameSource
{
    /// <summary>Fills <paramref name="slot"/> with the next frame (or sets its <see cref="FrameSlot.Error"/>); false when there are no more.</summary>
    ValueTask<bool> ReadNextAsync(FrameSlot slot, CancellationToken cancellationToken);
}
