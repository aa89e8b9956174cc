using System.Text.Json.Nodes;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Contracts.Packaging;

namespace EdgeMl.Agent.Tests.Packaging;

/// <summary>The manifest fields an agent says it reads, and those a manifest sets: what the fleet compares before a rollout.</summary>
public sealed class ManifestFieldsTests
{
    private static string V3 => File.ReadAllText(Path.Combine(Repo.Models, "v3", "manifest.json"));

    [Fact]
    public void An_agent_reads_every_field_of_the_manifest_type_down_to_the_entries_of_its_maps()
    {
        Assert.Contains("explanation.kind", ManifestFields.Known);
        Assert.Contains("input.tiles.overlap", ManifestFields.Known);
        Assert.Contains("decision.bands.upper", ManifestFields.Known);
        Assert.Contains("referenceStatistics.*.edges", ManifestFields.Known);
        // training is free-form: its content is not the agent's to read.
        Assert.Contains("training", ManifestFields.Known);
        Assert.DoesNotContain(ManifestFields.Known, f => f.StartsWith("training.", StringComparison.Ordinal));
        Assert.Equal(ManifestFields.Known.Count, ManifestFields.Known.Distinct().Count());
    }

    [Fact]
    public void A_manifest_uses_only_the_fields_it_sets_to_a_value()
    {
        var manifest = JsonNode.Parse(V3)!.AsObject();
        manifest["description"] = null;

        var used = ManifestFields.Used(manifest.ToJsonString());

        Assert.Contains("explanation.output", used);
        Assert.Contains("referenceStatistics.*.counts", used);
        Assert.DoesNotContain("description", used);
        Assert.DoesNotContain("input.tiles", used);
        Assert.DoesNotContain("decision.bands", used);
        Assert.Empty(ManifestFields.Missing(used, ManifestFields.Known.ToHashSet()));
    }

    [Fact]
    public void A_missing_object_is_named_once_not_with_each_of_its_fields()
    {
        var older = ManifestFields.Known.Where(f => !f.StartsWith("explanation", StringComparison.Ordinal) && f != "input.roi.x").ToHashSet();
        var used = ManifestFields.Used(V3);

        Assert.Equal(["explanation"], ManifestFields.Missing(used, older));
        Assert.Equal(["input.roi.x", "explanation"], ManifestFields.Missing(["input.roi", "input.roi.x", "explanation", "explanation.kind"], older));
    }
}
