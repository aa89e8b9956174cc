using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Inference;

/// <summary>Turns the model's per-tile scores into one probability per label for the frame.</summary>
internal static class TileReduction
{
    public static void Reduce(ModelManifest manifest, ReadOnlySpan<float> scores, int tiles, Span<float> probabilities)
    {
        var labels = probabilities.Length;
        var logits = manifest.Output.Kind == "logits";
        if (tiles == 1)
        {
            ToProbabilities(scores[..labels], probabilities, logits);
            return;
        }

        Span<float> tile = stackalloc float[labels];
        var spec = manifest.Input.Tiles!;
        var focus = spec.Reduce == "max" ? Array.IndexOf(manifest.Output.Labels, spec.Label) : -1;
        var best = float.NegativeInfinity;
        probabilities.Clear();
        for (var t = 0; t < tiles; t++)
        {
            ToProbabilities(scores.Slice(t * labels, labels), tile, logits);
            if (focus < 0)
            {
                for (var i = 0; i < labels; i++)
                {
                    probabilities[i] += tile[i] / tiles;
                }
            }
            else if (tile[focus] > best)
            {
                best = tile[focus];
                tile.CopyTo(probabilities);
            }
        }
    }

    private static void ToProbabilities(ReadOnlySpan<float> scores, Span<float> probabilities, bool logits)
    {
        if (!logits)
        {
            scores.CopyTo(probabilities);
            return;
        }

        var max = float.NegativeInfinity;
        foreach (var s in scores)
        {
            max = MathF.Max(max, s);
        }

        var sum = 0f;
        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] = MathF.Exp(scores[i] - max);
            sum += probabilities[i];
        }

        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] /= sum;
        }
    }
}
