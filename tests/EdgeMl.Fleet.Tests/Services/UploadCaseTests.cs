using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Services;

public sealed class UploadCaseTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-cases-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        _channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_reupload_of_the_same_case_id_is_acknowledged_and_stores_nothing_new()
    {
        var (client, credentials, deviceId) = await TestCases.EnrolAsync(_fleet, _channel, ("site", "a"), ("line", "3"));

        var first = await client.UploadCaseAsync(TestCases.Upload("case-1", 1_000), credentials);
        var retry = await client.UploadCaseAsync(TestCases.Upload("case-1", 2_000, crack: 0.9), credentials);

        var stored = Assert.Single(await Stores.Cases.ListAsync(null, CancellationToken.None));
        Assert.Equal((false, true), (first.Duplicate, retry.Duplicate));
        Assert.Equal((deviceId, "a", "3", 1_000L, 0.55, true), (stored.DeviceId, stored.Site, stored.Line, stored.CapturedAt.ToUnixTimeMilliseconds(), stored.Probabilities["crack"], stored.HasHeatmap));
        Assert.Equal(TestCases.Jpeg, await File.ReadAllBytesAsync(Path.Combine(_root, "cases", "case-1.jpg")));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "cases"), "*.jpg"));
    }

    [Fact]
    public async Task Takes_an_image_far_over_the_other_device_calls_limit_and_refuses_one_over_4_MiB()
    {
        var (client, credentials, _) = await TestCases.EnrolAsync(_fleet, _channel);
        var large = new byte[3 * 1024 * 1024];
        TestCases.Jpeg.CopyTo(large, 0);
        var tooLarge = new byte[(4 * 1024 * 1024) + 1];
        TestCases.Jpeg.CopyTo(tooLarge, 0);

        var big = TestCases.Upload("big", 1);
        big.ImageJpeg = ByteString.CopyFrom(large);
        var huge = TestCases.Upload("huge", 1);
        huge.ImageJpeg = ByteString.CopyFrom(tooLarge);

        var taken = await client.UploadCaseAsync(big, credentials);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.UploadCaseAsync(huge, credentials));
        var statusTooLarge = await Assert.ThrowsAsync<RpcException>(async () =>
            await new DeviceService.DeviceServiceClient(_channel).ReportStatusAsync(new StatusReport { Reason = new string('x', 64 * 1024) }, credentials));

        Assert.False(taken.Duplicate);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("image_jpeg must be a JPEG of at most 4194304 bytes", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, statusTooLarge.StatusCode);
    }

    [Fact]
    public async Task Refuses_a_case_id_another_device_used_and_a_call_without_credentials()
    {
        var (client, first, _) = await TestCases.EnrolAsync(_fleet, _channel);
        var (_, second, _) = await TestCases.EnrolAsync(_fleet, _channel);
        await client.UploadCaseAsync(TestCases.Upload("shared", 1), first);

        var taken = await Assert.ThrowsAsync<RpcException>(async () => await client.UploadCaseAsync(TestCases.Upload("shared", 1), second));
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await client.UploadCaseAsync(TestCases.Upload("anon", 1)));

        Assert.Equal((StatusCode.AlreadyExists, StatusCode.Unauthenticated), (taken.StatusCode, anonymous.StatusCode));
    }

    [Fact]
    public async Task Refuses_a_malformed_case_naming_every_problem()
    {
        var (client, credentials, _) = await TestCases.EnrolAsync(_fleet, _channel);
        var bad = TestCases.Upload("../etc", 1);
        bad.AutomationLevel = "auto";
        bad.Decision = CaseDecision.Unspecified;
        bad.ImageJpeg = ByteString.CopyFromUtf8("not a jpeg");

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.UploadCaseAsync(bad, credentials));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.All(["case_id", "image_jpeg", "automation_level", "decision"], field => Assert.Contains(field, refused.Status.Detail, StringComparison.Ordinal));
        Assert.Empty(await Stores.Cases.ListAsync(null, CancellationToken.None));
    }

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();
}
