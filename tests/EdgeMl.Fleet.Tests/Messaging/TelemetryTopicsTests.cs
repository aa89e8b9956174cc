using EdgeMl.Fleet.Messaging;

namespace EdgeMl.Fleet.Tests.Messaging;

public sealed class TelemetryTopicsTests
{
    [Theory]
    [InlineData("edgeml/v1/+/telemetry", true)]
    [InlineData("$share/fleet/edgeml/v1/+/telemetry", true)]
    [InlineData("edgeml/v1/#", true)]
    [InlineData("#", false)]
    [InlineData("$share/fleet/#", false)]
    [InlineData("$share/edgeml/v1/+/telemetry", false)]
    [InlineData("edgeml/v10/x", false)]
    public void The_server_reads_under_the_root_also_through_a_shared_subscription(string filter, bool allowed) =>
        Assert.Equal(allowed, TelemetryTopics.ServerMaySubscribe(filter));

    [Theory]
    [InlineData("edgeml/v1/dev-a/commands", true)]
    [InlineData("edgeml/v1/dev-a/commands/#", true)]
    [InlineData("edgeml/v1/dev-a/commands/+", true)]
    [InlineData("edgeml/v1/dev-a/#", false)]
    [InlineData("edgeml/v1/dev-a/commandsx", false)]
    [InlineData("edgeml/v1/+/commands/#", false)]
    [InlineData("edgeml/v1/alerts", false)]
    public void A_device_subscribes_to_its_own_commands_only(string filter, bool allowed) =>
        Assert.Equal(allowed, TelemetryTopics.DeviceMaySubscribe("dev-a", filter));

    [Theory]
    [InlineData("edgeml/v1/dev-a/telemetry", false, true)]
    [InlineData("edgeml/v1/dev-a/status", true, true)]
    [InlineData("edgeml/v1/dev-a/telemetry", true, false)]
    [InlineData("edgeml/v1/dev-ab/telemetry", false, false)]
    [InlineData("edgeml/v1/alerts", false, false)]
    public void A_device_publishes_under_its_prefix_and_retains_its_status_only(string topic, bool retain, bool allowed) =>
        Assert.Equal(allowed, TelemetryTopics.DeviceMayPublish("dev-a", topic, retain));
}
