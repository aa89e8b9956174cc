using System.CommandLine;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>device token|list|revoke</c>.</summary>
internal static class DeviceCommands
{
    public static Command Create()
    {
        var device = new Command("device", "Devices and enrolment");

        var token = new AdminConnection();
        var ttl = new Option<int>("--ttl-hours") { Description = "Hours the token stays valid", DefaultValueFactory = _ => 24 };
        var tokenCommand = token.With(new Command("token", "Issue a one-time enrolment token") { ttl });
        token.SetAction(tokenCommand, async (client, result, ct) =>
            await client.CreateEnrolmentTokenAsync(new CreateEnrolmentTokenRequest { TtlSeconds = result.GetValue(ttl) * 3600L }, cancellationToken: ct),
            m => ((EnrolmentToken)m).Token);
        device.Subcommands.Add(tokenCommand);

        var list = new AdminConnection();
        var selector = new Option<string?>("--selector") { Description = "Only devices with these tags, e.g. site=a,line=3" };
        var cannotRead = new Option<string?>("--cannot-read")
        {
            Description = "Only devices whose agents said they do not read a field this model's manifest sets (name:version), the ones a rollout of it would refuse",
        };
        var listCommand = list.With(new Command("list", "List devices: id, tags, online, active model, last report, agent version") { selector, cannotRead });
        list.SetAction(listCommand, async (client, result, ct) =>
            await client.ListDevicesAsync(new ListDevicesRequest { Selector = result.GetValue(selector) ?? "", CannotRead = result.GetValue(cannotRead) ?? "" }, cancellationToken: ct),
            m => string.Join(Environment.NewLine, ((DeviceList)m).Devices.Select(d =>
                $"{d.DeviceId}  {string.Join(',', d.Tags.Select(t => $"{t.Key}={t.Value}"))}  {(d.Online ? "online" : "offline")}  active {Or(d.ActiveModel)}  desired {Or(d.DesiredModel)}  {d.State.ToString().ToLowerInvariant()} {d.Reason}  last report {(d.LastReportUnixMs == 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds(d.LastReportUnixMs).ToString("u", System.Globalization.CultureInfo.InvariantCulture))}  agent {Or(d.AgentVersion)}" +
                (d.UnreadFields.Count == 0 ? "" : $"  does not read {string.Join(", ", d.UnreadFields)}"))));
        device.Subcommands.Add(listCommand);

        var revoke = new AdminConnection();
        var id = new Argument<string>("id") { Description = "Device id, as device list shows it" };
        var revokeCommand = revoke.With(new Command("revoke", "Revoke a device: its calls are refused at once and its watch stream ends; it must enrol again") { id });
        revoke.SetAction(revokeCommand, async (client, result, ct) =>
            await client.RevokeDeviceAsync(new RevokeDeviceRequest { DeviceId = result.GetRequiredValue(id) }, cancellationToken: ct),
            m => $"revoked {((RevokeDeviceResponse)m).DeviceId}");
        device.Subcommands.Add(revokeCommand);
        return device;
    }

    private static string Or(string value) => value.Length == 0 ? "-" : value;
}
