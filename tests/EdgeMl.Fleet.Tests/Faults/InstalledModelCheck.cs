using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeMl.Agent.Sync;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>What an agent's data directory says it runs, checked from outside the agent.</summary>
internal static class InstalledModelCheck
{
    /// <summary>The version state.json names as active, if its manifest and model.onnx are on disk and agree by hash; null otherwise.</summary>
    public static string? VerifiedActiveVersion(string data)
    {
        var active = LocalModelState.Load(data).Active;
        if (active is null)
        {
            return null;
        }

        var folder = ModelFolder(data, active);
        if (!File.Exists(Path.Combine(folder, "manifest.json")) || !File.Exists(Path.Combine(folder, "model.onnx")))
        {
            return null;
        }

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        using var model = File.OpenRead(Path.Combine(folder, "model.onnx"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(model));
        return manifest["sha256"]?.GetValue<string>() == hash && manifest["version"]?.GetValue<string>() == active.Version ? active.Version : null;
    }

    public static string ModelFolder(string data, InstalledModel model) => Path.Combine(data, "models", model.Name, model.Version);
}
