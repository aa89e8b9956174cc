namespace EdgeMl.Agent.Outcomes;

/// <summary>Where a frame's time went: decode and preprocess, inference (active model), and from the frame in memory to its verdict.</summary>
public readonly record struct FrameLatencies(TimeSpan Decode, TimeSpan Inference, TimeSpan EndToEnd);
