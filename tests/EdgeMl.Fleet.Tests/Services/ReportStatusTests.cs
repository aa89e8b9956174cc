using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Services;

/// <summary>Status reports over gRPC from a device that a rollout gave crack-detector:v1 (desired-state revision 1).</summary>
public sealed class ReportStatusTests : IAsyncLifetime
{
    private const string V1 = "crack-detector:v1";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-report-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;
    private GrpcChannel _channel = null!;
    private DeviceService.DeviceServiceClient _device = null!;
    private Metadata _credentials = null!;
    private string _rolloutId = "";

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        await _fleet.PushAsync(RepoPaths.Package("v1"));
        _channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        _device = new DeviceService.DeviceServiceClient(_channel);
        var enrolled = await _device.EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync(), Tags = { ["site"] = "a" } });
        _credentials = new Metadata { { "x-edgeml-device", enrolled.DeviceId }, { "authorization", "Bearer " + enrolled.DeviceSecret } };
        var start = new StartRolloutRequest { Model = V1, Selector = "site=a" };
        start.Waves.Add("100%");
        _rolloutId = (await _fleet.Admin.StartRolloutAsync(start)).RolloutId;
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Refuses_a_report_naming_a_model_that_is_not_in_the_desired_state()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await ReportAsync(1, "evil", "v9", DeviceModelState.Active));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("evil:v9 is not in device", refused.Status.Detail, StringComparison.Ordinal);
        var device = Assert.Single(await _fleet.DevicesAsync());
        Assert.Equal(("", DeviceModelState.Unspecified), (device.ActiveModel, device.State));
    }

    [Fact]
    public async Task Refuses_a_report_that_does_not_repeat_a_revision_it_was_sent()
    {
        var zero = await Assert.ThrowsAsync<RpcException>(async () => await ReportAsync(0, "crack-detector", "v1", DeviceModelState.Active));
        var unsent = await Assert.ThrowsAsync<RpcException>(async () => await ReportAsync(2, "crack-detector", "v1", DeviceModelState.Active));

        Assert.Equal(StatusCode.InvalidArgument, zero.StatusCode);
        Assert.Contains("revision 0 answers none", zero.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, unsent.StatusCode);
        Assert.Equal(("", DeviceModelState.Unspecified), (Assert.Single(await _fleet.DevicesAsync()).ActiveModel, Assert.Single(await _fleet.DevicesAsync()).State));
    }

    [Fact]
    public async Task After_a_rollback_to_no_model_takes_the_no_model_report_and_ignores_a_superseded_one()
    {
        await ReportAsync(1, "crack-detector", "v1", DeviceModelState.Active);
        await _fleet.WaitForRolloutAsync(_rolloutId, "completed");

        var rolled = await _fleet.Admin.ControlRolloutAsync(new ControlRolloutRequest { RolloutId = _rolloutId, Action = "rollback" });
        await ReportAsync(1, "crack-detector", "v1", DeviceModelState.Failed);
        var afterSuperseded = Assert.Single(await _fleet.DevicesAsync());
        await ReportAsync(2, "", "", DeviceModelState.Active);
        var afterNoModel = Assert.Single(await _fleet.DevicesAsync());

        Assert.Contains("1 of 1 devices returned to no model (every frame to a human)", rolled.Reason, StringComparison.Ordinal);
        Assert.Equal((V1, DeviceModelState.Active), (afterSuperseded.ActiveModel, afterSuperseded.State));
        Assert.Equal(("", "", DeviceModelState.Active), (afterNoModel.ActiveModel, afterNoModel.DesiredModel, afterNoModel.State));
    }

    private async Task ReportAsync(ulong revision, string name, string version, DeviceModelState state) =>
        await _device.ReportStatusAsync(new StatusReport { Revision = revision, ModelName = name, ModelVersion = version, State = state }, _credentials);
}
