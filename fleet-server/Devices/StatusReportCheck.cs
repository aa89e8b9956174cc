using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Devices;

/// <summary>
/// Decides whether a device's status report is believed. A report answers one desired state (it repeats that state's
/// revision) and may only name a model that state names, or the model the device already runs; anything else would let
/// a device make up its own active model.
/// </summary>
internal static class StatusReportCheck
{
    private const string Refused = "refused";
    private const string Stale = "stale";

    /// <summary>The <c>name:version</c> a report names, or null for no model (both parts empty).</summary>
    /// <exception cref="ArgumentException">Only one of the two parts is given.</exception>
    public static string? ModelOf(string name, string version) => (name.Length, version.Length) switch
    {
        (0, 0) => null,
        ( > 0, > 0) => $"{name}:{version}",
        _ => throw new ArgumentException(
            $"model_name '{name}' and model_version '{version}' go together: give both, or neither for a device that runs no model"),
    };

    /// <summary>
    /// True when <paramref name="report"/> answers the device's current desired state, or is a refusal or stale report, and
    /// is to be recorded; false when it answers an older revision, which a newer state has superseded (acknowledged, not recorded).
    /// </summary>
    /// <exception cref="ArgumentException">The report names no revision.</exception>
    /// <exception cref="InvalidOperationException">The report answers a revision never sent, or names a model its desired state does not.</exception>
    public static bool IsCurrent(DeviceReport report, DesiredStateRecord? desired, DeviceRecord? device)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.State is Refused or Stale)
        {
            // A refusal or a stale state names the last state the device trusts (none yet, older than the one it refused, or
            // newer than a replayed one) and the model it still runs: it describes the device now, whatever revision it repeats.
            if (report.Model is not null && report.Model != device?.ActiveModel)
            {
                throw new InvalidOperationException(
                    $"a {report.State} report names the model the device runs; {report.Model} is not device {report.DeviceId}'s active model ({device?.ActiveModel ?? "no model"})");
            }

            return true;
        }

        if (report.Revision <= 0)
        {
            throw new ArgumentException(
                $"a status report repeats the revision of the desired state it answers; revision {report.Revision} answers none, so the report is refused");
        }

        if (desired is null || report.Revision > desired.Revision)
        {
            throw new InvalidOperationException(
                $"device {report.DeviceId} was never sent revision {report.Revision}; its desired state is at revision {desired?.Revision ?? 0}");
        }

        if (report.Revision < desired.Revision)
        {
            return false;
        }

        var named = report.Model is null
            ? desired.ActiveModel is null
            : report.Model == desired.ActiveModel || report.Model == desired.ShadowModel || report.Model == device?.ActiveModel;
        if (!named)
        {
            throw new InvalidOperationException(
                $"{report.Model ?? "no model"} is not in device {report.DeviceId}'s desired state (revision {desired.Revision}: " +
                $"active {desired.ActiveModel ?? "no model"}, shadow {desired.ShadowModel ?? "none"}); the report is refused");
        }

        return true;
    }
}
