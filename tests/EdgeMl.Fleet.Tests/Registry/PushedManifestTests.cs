using EdgeMl.Fleet.Tests.Infrastructure;
using Grpc.Core;

namespace EdgeMl.Fleet.Tests.Registry;

public sealed class PushedManifestTests
{
    [Fact]
    public async Task Push_of_a_manifest_with_missing_and_unknown_fields_is_invalid_argument_naming_each()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-manifest-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root);

        var error = await Assert.ThrowsAsync<RpcException>(() => fleet.PushVariantAsync("v1", "v9", m =>
        {
            m.Remove("decision");
            m.Remove("sha256");
            m["input"]!.AsObject().Remove("std");
            m["input"]!["color_space"] = "gray";
        }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("input.std is missing", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("input.color_space is not a manifest field", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("decision is missing", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("sha256 is missing", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await fleet.Admin.ListModelsAsync(new Protos.Fleet.ListModelsRequest())).Models);
        Directory.Delete(root, recursive: true);
    }
}
