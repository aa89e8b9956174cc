using EdgeMl.Fleet.Security;
using EdgeMl.Protos.Fleet;
using Grpc.Core;

namespace EdgeMl.Fleet.Tests.Security;

public sealed class DeviceInputLimitsTests
{
    [Fact]
    public void Cuts_a_long_failure_reason_so_the_report_still_arrives()
    {
        var report = new StatusReport { ModelName = "crack-detector", ModelVersion = "v2", Reason = new string('e', 10_000) };

        DeviceInputLimits.Apply(report);

        Assert.Equal(DeviceInputLimits.MaxReasonLength, report.Reason.Length);
        Assert.EndsWith("…", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_over_long_names_and_tags_naming_each()
    {
        var report = new StatusReport { ModelName = new string('m', 500) };
        var enrol = new EnrolRequest { Hostname = new string('h', 500), Tags = { [new string('k', 100)] = "v", ["site"] = new string('v', 300) } };

        var reported = Assert.Throws<RpcException>(() => DeviceInputLimits.Apply(report));
        var enrolled = Assert.Throws<RpcException>(() => DeviceInputLimits.Check(enrol));

        Assert.Equal(StatusCode.InvalidArgument, reported.StatusCode);
        Assert.Contains("model_name of 500 characters", reported.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("hostname of 500 characters", enrolled.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("a tag name of 100 characters", enrolled.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("tag 'site' with a 300-character value", enrolled.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_list_of_manifest_fields_too_long_or_with_a_field_out_of_bounds()
    {
        var many = new EnrolRequest { ManifestFields = { Enumerable.Range(0, DeviceInputLimits.MaxManifestFields + 1).Select(i => $"f{i}") } };
        var odd = new WatchDesiredStateRequest { ManifestFields = { "name", "", new string('f', 200) } };

        var enrolled = Assert.Throws<RpcException>(() => DeviceInputLimits.Check(many));
        var watched = Assert.Throws<RpcException>(() => DeviceInputLimits.Check(odd));

        Assert.Equal("refused: 1025 manifest_fields (at most 1024)", enrolled.Status.Detail);
        Assert.Equal("refused: a manifest field of 0 characters (1 to 128)", watched.Status.Detail);
        DeviceInputLimits.Check(new WatchDesiredStateRequest { ManifestFields = { EdgeMl.Contracts.Packaging.ManifestFields.Known } });
    }
}
