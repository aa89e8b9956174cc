using System.Globalization;
using System.Security.Cryptography;
using EdgeMl.Fleet.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Alerts;

/// <summary>
/// Raises and clears alerts: stored once per condition, then handed to <see cref="AlertDelivery"/> for MQTT and the
/// webhook. The monitors call it for what they judge; ingestion calls it for a device's own events
/// (<see cref="AlertKinds.OutboxNearFull"/>).
/// </summary>
internal sealed partial class AlertService(FleetStores stores, AlertDelivery delivery, TimeProvider time, ILogger<AlertService> logger)
{
    /// <summary>Opens the alert of <paramref name="key"/>; the stored alert when it is new or its severity rose, null when it was open already.</summary>
    public async Task<AlertRecord?> RaiseAsync(AlertKey key, string severity, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = time.GetUtcNow();
        var id = string.Create(CultureInfo.InvariantCulture, $"alert-{now.ToUnixTimeMilliseconds():D13}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var alert = new AlertRecord(id, key.Kind, key.DeviceId, key.ModelName, key.ModelVersion, severity, message, now.ToStoredPrecision(), null);
        var raised = await stores.Alerts.RaiseAsync(key.OpenKey, alert, AlertSeverity.Rank, cancellationToken);
        if (raised is not null)
        {
            LogRaised(logger, raised.Kind, raised.Severity, raised.Message);
            delivery.Post(raised);
        }

        return raised;
    }

    /// <summary>Clears the open alert of <paramref name="key"/>; the cleared alert, or null when none was open.</summary>
    public async Task<AlertRecord?> ClearAsync(AlertKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var cleared = await stores.Alerts.ClearAsync(key.OpenKey, time.GetUtcNow(), cancellationToken);
        if (cleared is not null)
        {
            LogCleared(logger, cleared.Kind, cleared.DeviceId, cleared.Message);
            delivery.Post(cleared);
        }

        return cleared;
    }

    /// <summary>Clears every open alert whose condition <paramref name="ended"/> says is gone (a revoked device, a version no longer run).</summary>
    public async Task ClearWhereAsync(Func<AlertRecord, bool> ended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ended);
        foreach (var alert in (await stores.Alerts.ListAsync(openOnly: true, cancellationToken)).Where(ended))
        {
            await ClearAsync(new AlertKey(alert.Kind, alert.DeviceId, alert.ModelName, alert.ModelVersion), cancellationToken);
        }
    }

    /// <summary>The keys (<see cref="AlertKey.OpenKey"/>) of the alerts open now, read in one query.</summary>
    public async Task<IReadOnlySet<string>> OpenKeysAsync(CancellationToken cancellationToken) =>
        (await stores.Alerts.ListAsync(openOnly: true, cancellationToken))
            .Select(a => new AlertKey(a.Kind, a.DeviceId, a.ModelName, a.ModelVersion).OpenKey)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Raises the alert when <paramref name="holds"/>, clears it otherwise: the one step each monitored condition takes.
    /// A condition that does not hold is cleared only when <paramref name="open"/> (from <see cref="OpenKeysAsync"/>)
    /// names its alert: a monitor of a whole fleet would otherwise take the database's write lock twice per device per
    /// round to find nothing open. One opened since the read (elsewhere) is cleared the round after.
    /// </summary>
    public Task<AlertRecord?> SetAsync(AlertKey key, bool holds, string severity, string message, IReadOnlySet<string> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(open);
        return holds ? RaiseAsync(key, severity, message, cancellationToken)
            : open.Contains(key.OpenKey) ? ClearAsync(key, cancellationToken)
            : Task.FromResult<AlertRecord?>(null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert raised ({Kind}, {Severity}): {Text}")]
    private static partial void LogRaised(ILogger logger, string kind, string severity, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert cleared ({Kind}, device {DeviceId}): {Text}")]
    private static partial void LogCleared(ILogger logger, string kind, string? deviceId, string text);
}
