using EdgeMl.Agent.Inference;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Explanation;

/// <summary>
/// The model's own map of evidence (the manifest's <c>explanation</c>), read in the same run as its scores: one
/// inference a heatmap, where occlusion needs one per grid cell, so a model too slow for occlusion at the line's
/// rate still explains every case. The map always shows the evidence for <c>explanation.label</c>, whatever label
/// the frame was given: for a defect detector, where it saw the defect, also on a frame it passed.
/// </summary>
internal sealed class ModelMapExplainer : Explainer
{
    private readonly ExplanationSpec _spec;
    private readonly int _label;
    private readonly int _rows;
    private readonly int _columns;

    /// <exception cref="NotSupportedException">The model has no map output of the shape the manifest's explanation names (a loaded model has: <see cref="ModelContract"/>).</exception>
    public ModelMapExplainer(ModelPackage package, InferenceOptions inference)
        : base(package, inference)
    {
        var spec = Manifest.Explanation;
        var grid = spec is not null && Session.OutputMetadata.TryGetValue(spec.Output, out var meta) ? ModelContract.MapGrid(meta.Dimensions) : null;
        if (grid is null)
        {
            Dispose();
            throw new NotSupportedException($"{Manifest.Id}: explanation.output '{spec?.Output}' is not a map output of the model");
        }

        _spec = spec!;
        _label = Array.IndexOf(Manifest.Output.Labels, _spec.Label);
        (_rows, _columns) = grid.Value;
    }

    protected override ExplanationMap Compute(float[] input, int label)
    {
        using var tensor = InputTensor(input, 1);
        using var outputs = Session.Run(RunOptions, [Manifest.Input.Name], [tensor], [Manifest.Output.Name, _spec.Output]);
        Span<float> frame = stackalloc float[Manifest.Output.Labels.Length];
        TileReduction.Reduce(Manifest, outputs[0].GetTensorDataAsSpan<float>(), 1, frame);
        var map = outputs[1].GetTensorDataAsSpan<float>();
        var heat = new float[_rows * _columns];
        var logits = _spec.Kind == "logits";
        for (var i = 0; i < heat.Length; i++)
        {
            heat[i] = logits ? 1f / (1f + MathF.Exp(-map[i])) : map[i];
        }

        return new ExplanationMap(ExplanationMap.ModelMap, _spec.Label, frame[_label], _columns, _rows, heat);
    }
}
