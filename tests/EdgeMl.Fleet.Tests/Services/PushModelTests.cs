using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Tests.Services;

public sealed class PushModelTests
{
    [Fact]
    public async Task Answers_a_push_of_other_bytes_under_a_pushed_version_with_AlreadyExists()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-push-" + Guid.NewGuid().ToString("N")[..10]);
        await using var fleet = await TestFleet.StartAsync(root);
        var first = await fleet.PushAsync(RepoPaths.Package("v1"));

        var again = await fleet.PushAsync(RepoPaths.Package("v1"));
        var other = await Assert.ThrowsAsync<RpcException>(() => fleet.PushVariantAsync("v1", "v1", m => m["description"] = "other bytes"));

        Assert.Equal(first, again);
        Assert.Equal(StatusCode.AlreadyExists, other.StatusCode);
        Assert.Contains("crack-detector:v1 is already in the registry with other bytes", other.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(first, Assert.Single((await fleet.Admin.ListModelsAsync(new ListModelsRequest())).Models));
        await fleet.StopAsync();
        Directory.Delete(root, recursive: true);
    }
}
