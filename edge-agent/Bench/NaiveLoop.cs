using EdgeMl.Contracts.Packaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

namespace EdgeMl.Agent.Bench;

/// <summary>
/// The baseline a typical script gives: decode the full frame, resize it, copy pixels into a new
/// tensor, run, one image at a time on a session with ONNX Runtime's default threading.
/// </summary>
internal sealed class NaiveLoop(ModelPackage package, bool cuda) : IDisposable
{
    private readonly InferenceSession _session = CreateSession(package.ModelPath, cuda);

    public long Run(IReadOnlyList<string> files, TimeSpan duration, TimeProvider time)
    {
        var input = package.Manifest.Input;
        var start = time.GetTimestamp();
        long frames = 0;
        while (time.GetElapsedTime(start) < duration)
        {
            var path = files[(int)(frames % files.Count)];
            using var bitmap = SKBitmap.Decode(path);
            frames++;
            if (bitmap is null)
            {
                continue;
            }

            using var resized = bitmap.Resize(new SKImageInfo(input.Width, input.Height, SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            var tensor = new DenseTensor<float>([1, input.Channels, input.Height, input.Width]);
            for (var y = 0; y < input.Height; y++)
            {
                for (var x = 0; x < input.Width; x++)
                {
                    var pixel = resized.GetPixel(x, y);
                    if (input.Channels == 1)
                    {
                        tensor[0, 0, y, x] = (((0.299f * pixel.Red) + (0.587f * pixel.Green) + (0.114f * pixel.Blue)) * input.Scale - input.Mean[0]) / input.Std[0];
                    }
                    else
                    {
                        tensor[0, 0, y, x] = ((pixel.Red * input.Scale) - input.Mean[0]) / input.Std[0];
                        tensor[0, 1, y, x] = ((pixel.Green * input.Scale) - input.Mean[1]) / input.Std[1];
                        tensor[0, 2, y, x] = ((pixel.Blue * input.Scale) - input.Mean[2]) / input.Std[2];
                    }
                }
            }

            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(input.Name, tensor)]);
            _ = results[0].AsEnumerable<float>().ToArray();
        }

        return frames;
    }

    public void Dispose() => _session.Dispose();

    private static InferenceSession CreateSession(string modelPath, bool cuda)
    {
        using var options = new SessionOptions();
        if (cuda)
        {
            options.AppendExecutionProvider_CUDA();
        }

        return new InferenceSession(modelPath, options);
    }
}
