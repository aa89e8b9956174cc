using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeMl.Agent.Inference;

/// <summary>Checks that the manifest describes the ONNX model's real inputs and outputs.</summary>
internal static class ModelContract
{
    public static List<string> Check(
        ModelManifest manifest,
        IReadOnlyDictionary<string, NodeMetadata> inputs,
        IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        var problems = new List<string>();
        var input = manifest.Input;
        if (!inputs.TryGetValue(input.Name, out var inputMeta))
        {
            problems.Add($"input '{input.Name}' is not in the model, whose inputs are: {string.Join(", ", inputs.Keys)}");
        }
        else
        {
            CheckElementType("input", input.Name, inputMeta, problems);
            int[] expected = input.Layout == "NHWC"
                ? [-1, input.Height, input.Width, input.Channels]
                : [-1, input.Channels, input.Height, input.Width];
            CheckDimensions("input", input.Name, inputMeta.Dimensions, expected, $"{input.Layout} [N,{string.Join(",", expected.Skip(1))}]", problems);
            var batch = inputMeta.Dimensions.Length > 0 ? inputMeta.Dimensions[0] : -1;
            var tiles = (input.Tiles?.Columns ?? 1) * (input.Tiles?.Rows ?? 1);
            if (batch > 0 && batch != tiles)
            {
                problems.Add($"input '{input.Name}' has a fixed batch of {batch} but the manifest scores {tiles} tile(s) per frame");
            }
        }

        var output = manifest.Output;
        if (!outputs.TryGetValue(output.Name, out var outputMeta))
        {
            problems.Add($"output '{output.Name}' is not in the model, whose outputs are: {string.Join(", ", outputs.Keys)}");
        }
        else
        {
            CheckElementType("output", output.Name, outputMeta, problems);
            CheckDimensions("output", output.Name, outputMeta.Dimensions, [-1, output.Labels.Length], $"[N,{output.Labels.Length}] (one score per label)", problems);
        }

        if (manifest.Explanation is { } explanation)
        {
            if (!outputs.TryGetValue(explanation.Output, out var mapMeta))
            {
                problems.Add($"explanation.output '{explanation.Output}' is not in the model, whose outputs are: {string.Join(", ", outputs.Keys)}");
            }
            else
            {
                CheckElementType("explanation output", explanation.Output, mapMeta, problems);
                if (MapGrid(mapMeta.Dimensions) is null)
                {
                    problems.Add($"explanation output '{explanation.Output}' has shape [{ShapeText(mapMeta.Dimensions)}] in the model; a map is [N,rows,columns] or [N,1,rows,columns] with fixed rows and columns");
                }
            }
        }

        return problems;
    }

    /// <summary>The rows and columns of an explanation map's shape; null when the shape is not one.</summary>
    public static (int Rows, int Columns)? MapGrid(int[] dimensions) => dimensions switch
    {
        [_, > 0 and var rows, > 0 and var columns] => (rows, columns),
        [_, 1, > 0 and var rows, > 0 and var columns] => (rows, columns),
        _ => null,
    };

    private static void CheckElementType(string role, string name, NodeMetadata meta, List<string> problems)
    {
        if (!meta.IsTensor || meta.ElementType != typeof(float))
        {
            problems.Add($"{role} '{name}' is {(meta.IsTensor ? meta.ElementType.Name : meta.OnnxValueType.ToString())} in the model, the manifest says float32");
        }
    }

    /// <summary>Dimension 0 is the batch and may be symbolic; every other dimension must match exactly.</summary>
    private static void CheckDimensions(string role, string name, int[] actual, int[] expected, string expectedText, List<string> problems)
    {
        var matches = actual.Length == expected.Length
            && actual.Skip(1).Zip(expected.Skip(1)).All(pair => pair.First == pair.Second);
        if (!matches)
        {
            problems.Add($"{role} '{name}' has shape [{ShapeText(actual)}] in the model, the manifest says {expectedText}");
        }
    }

    private static string ShapeText(int[] dimensions) =>
        string.Join(",", dimensions.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
