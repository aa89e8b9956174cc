using System.Text.Json.Nodes;

namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>The figures the model card and manifests promise, read from the packages themselves.</summary>
internal static class ModelCard
{
    /// <summary>The held-out test set: <c>generate.py --count 400 --seed 777</c>, never seen in training.</summary>
    public const int TestCount = 400;
    public const int TestSeed = 777;

    public static double AgentAccuracy(string version)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Package(version), "manifest.json")))!;
        // The figure the agent itself reached on these frames (its decoder differs from PIL's by a frame or so).
        return manifest["training"]!["metrics"]!["agentAccuracy"]!.GetValue<double>();
    }
}
