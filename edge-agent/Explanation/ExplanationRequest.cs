namespace EdgeMl.Agent.Explanation;

/// <summary>A frame waiting for its heatmap: its own copy of the encoded image (the pipeline's slot is reused), the model that scored it and the label it suggested.</summary>
internal sealed record ExplanationRequest(string FrameId, string ModelId, byte[] Encoded, int Label);
