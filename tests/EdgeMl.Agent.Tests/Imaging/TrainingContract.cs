using System.Globalization;
using EdgeMl.Agent.Tests.Infrastructure;

namespace EdgeMl.Agent.Tests.Imaging;

/// <summary>The model input as the training code computes it (models/crack-detector/training/preprocess.py: PIL's draft mode, luma straight from libjpeg).</summary>
internal static class TrainingContract
{
    public static async Task<float[]> PreprocessAsync(string image, int width, int height)
    {
        var output = image + ".f32";
        var script = "import sys; sys.path.insert(0, sys.argv[1]); import preprocess; "
            + "preprocess.preprocess_file(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])).astype('<f4').tofile(sys.argv[5])";
        var result = await ProcessRunner.RunAsync(
            "/usr/bin/python3",
            ["-c", script, Path.Combine(Repo.Models, "training"), image, width.ToString(CultureInfo.InvariantCulture), height.ToString(CultureInfo.InvariantCulture), output],
            TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"preprocess.py failed: {result.Error}");
        var bytes = await File.ReadAllBytesAsync(output);
        var tensor = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, tensor, 0, bytes.Length);
        return tensor;
    }
}
