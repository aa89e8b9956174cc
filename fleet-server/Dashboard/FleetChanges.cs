using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Telemetry;
using Microsoft.Extensions.Options;

namespace EdgeMl.Fleet.Dashboard;

/// <summary>
/// The dashboard's event stream: <c>ready</c> once it watches, then <c>changed</c> whenever what the dashboard shows
/// (devices, rollouts and their waves, stored telemetry, open alerts) differs from the last look. It looks in the database
/// rather than listening to in-process events, so a change made through any replica reaches every dashboard.
/// </summary>
internal sealed class FleetChanges(FleetStores stores, DevicePresence presence, TimeProvider time, IOptions<DashboardOptions> options)
{
    public const string Ready = "ready";
    public const string Changed = "changed";

    public async IAsyncEnumerable<SseItem<string>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = await FingerprintAsync(cancellationToken);
        yield return new SseItem<string>(Stamp(), Ready);
        while (true)
        {
            // A closed dashboard ends the wait quietly: that is how every stream ends.
            await Task.Delay(options.Value.ChangePollInterval, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            var now = await FingerprintAsync(cancellationToken);
            if (now != seen)
            {
                seen = now;
                yield return new SseItem<string>(Stamp(), Changed);
            }
        }
    }

    private string Stamp() => time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    // A hash of what the dashboard shows, not of whole records: a device's last-seen time moves with every call it
    // makes and would wake every dashboard for nothing.
    private async Task<string> FingerprintAsync(CancellationToken cancellationToken)
    {
        var devices = (await stores.Devices.ListAsync(cancellationToken))
            .Select(d => new object?[] { d.Id, presence.IsOnline(d.Id), d.ActiveModel, d.ReportedState, d.ReportedReason, d.ExecutionProvider, d.LastReportAt });
        var rollouts = await stores.Rollouts.ListAsync(cancellationToken);
        var waves = new List<RolloutWaveRecord>();
        foreach (var rollout in await stores.Rollouts.ListActiveAsync(cancellationToken))
        {
            waves.AddRange(await stores.Rollouts.ListWavesAsync(rollout.Id, cancellationToken));
        }

        var newest = await stores.Telemetry.NewestReceivedAsync(cancellationToken);
        var alerts = (await stores.Alerts.ListAsync(openOnly: true, cancellationToken)).Select(a => new object?[] { a.Id, a.Severity });
        return Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { devices, rollouts, waves, newest, alerts })));
    }
}
