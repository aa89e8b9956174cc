using System.Formats.Tar;
using System.Text.Json.Nodes;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Registry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Fleet.Tests.Storage;

namespace EdgeMl.Fleet.Tests.Registry;

/// <summary>The registry against a real database (SQLite and PostgreSQL); two registries on one database play two server replicas.</summary>
public abstract class ModelRegistryTests : StoreTests
{
    private static readonly byte[] Model = File.ReadAllBytes(Path.Combine(RepoPaths.Package("v1"), "model.onnx"));

    [Fact]
    public async Task Signs_every_version_with_the_sequence_it_is_stored_under_when_replicas_push_at_once()
    {
        using var fleet = new FleetParts(Stores);
        var replicas = new[] { fleet.Registry, fleet.NewRegistry() };

        var pushed = await RunConcurrentlyAsync(6, i => replicas[i % 2].PushAsync(Manifest($"v{i}"), Model, "admin", Timeout));

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], pushed.Select(p => p.Sequence).Order());
        foreach (var record in pushed)
        {
            var bundle = fleet.Artifacts.PathOf(record.Name, record.Version);
            Assert.Equal(record.Sequence, SignatureIn(bundle).Sequence);
            Assert.Equal(record.BundleSha256, ModelPackage.HashFile(bundle));
            Assert.Equal(record, await Stores.Models.GetAsync(record.Name, record.Version, Timeout));
        }
    }

    [Fact]
    public async Task Refuses_other_bytes_under_a_pushed_version_as_a_conflict_and_keeps_the_first_bundle()
    {
        using var fleet = new FleetParts(Stores);
        var replicas = new[] { fleet.Registry, fleet.NewRegistry() };

        var pushes = await RunConcurrentlyAsync(4, async i =>
        {
            try
            {
                return (Record: await replicas[i % 2].PushAsync(Manifest("v1", $"variant {i}"), Model, "admin", Timeout), Error: (RegistryException?)null);
            }
            catch (RegistryException e)
            {
                return (Record: (ModelRecord?)null, Error: e);
            }
        });

        var stored = Assert.Single(pushes.Select(p => p.Record).OfType<ModelRecord>());
        Assert.All(pushes.Select(p => p.Error).OfType<RegistryException>(), e => Assert.Equal(RegistryException.Reason.Conflict, e.Kind));
        Assert.Equal(3, pushes.Count(p => p.Error is not null));
        Assert.Equal(stored, Assert.Single(await Stores.Models.ListAsync("crack-detector", Timeout)));
        Assert.Equal(stored.BundleSha256, ModelPackage.HashFile(fleet.Artifacts.PathOf("crack-detector", "v1")));
    }

    [Fact]
    public async Task Restores_a_missing_or_damaged_bundle_when_the_same_version_is_pushed_again()
    {
        using var fleet = new FleetParts(Stores);
        var first = await fleet.Registry.PushAsync(Manifest("v1"), Model, "admin", Timeout);
        var path = fleet.Artifacts.PathOf("crack-detector", "v1");
        var bytes = await File.ReadAllBytesAsync(path, Timeout);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes, Timeout);

        var damaged = await fleet.Registry.PushAsync(Manifest("v1"), Model, "admin", Timeout);
        var afterDamage = ModelPackage.HashFile(path);
        File.Delete(path);
        var missing = await fleet.Registry.PushAsync(Manifest("v1"), Model, "admin", Timeout);

        Assert.Equal(first, damaged);
        Assert.Equal(first, missing);
        Assert.Equal(first.BundleSha256, afterDamage);
        Assert.Equal(first.BundleSha256, ModelPackage.HashFile(path));
        Assert.Equal(2, (await Stores.Audit.ListAsync(100, Timeout)).Count(a => a.Action == "model.repair"));
    }

    private static byte[] Manifest(string version, string? description = null)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Package("v1"), "manifest.json")))!.AsObject();
        manifest["version"] = version;
        if (description is not null)
        {
            manifest["description"] = description;
        }

        return System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }

    private static PackageSignature SignatureIn(string bundle)
    {
        using var reader = new TarReader(File.OpenRead(bundle));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == PackageSignature.FileName)
            {
                using var json = new MemoryStream();
                entry.DataStream!.CopyTo(json);
                return PackageSignature.FromJson(json.ToArray()) ?? throw new InvalidDataException($"{bundle} holds an unreadable signature");
            }
        }

        throw new InvalidDataException($"{bundle} holds no {PackageSignature.FileName}");
    }
}
