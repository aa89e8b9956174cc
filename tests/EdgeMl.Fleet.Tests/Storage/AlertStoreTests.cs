using EdgeMl.Fleet.Alerts;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Tests.Storage;

public abstract class AlertStoreTests : StoreTests
{
    private static readonly AlertKey Offline = new(AlertKinds.Offline, "cam-1");

    [Fact]
    public async Task Opens_a_condition_once_and_again_only_when_its_severity_rises()
    {
        var first = await Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert("a1", AlertSeverity.Warning, T0), AlertSeverity.Rank, Timeout);
        var repeated = await Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert("a2", AlertSeverity.Warning, T0.AddMinutes(1)), AlertSeverity.Rank, Timeout);
        var worse = await Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert("a3", AlertSeverity.Critical, T0.AddMinutes(2)) with { Message = "worse" }, AlertSeverity.Rank, Timeout);
        var milder = await Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert("a4", AlertSeverity.Warning, T0.AddMinutes(3)), AlertSeverity.Rank, Timeout);

        Assert.Equal("a1", first?.Id);
        Assert.Null(repeated);
        Assert.Equal(("a1", AlertSeverity.Critical, "worse", T0), (worse?.Id, worse?.Severity, worse?.Message, worse?.RaisedAt));
        Assert.Null(milder);
        var stored = Assert.Single(await Stores.Alerts.ListAsync(openOnly: false, Timeout));
        Assert.Equal(worse, stored);
    }

    [Fact]
    public async Task Clears_the_open_alert_and_lets_the_condition_open_a_new_one()
    {
        await Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert("a1", AlertSeverity.Warning, T0), AlertSeverity.Rank, Timeout);
        var other = new AlertKey(AlertKinds.Drift, "cam-1", "crack-detector", "v3");
        await Stores.Alerts.RaiseAsync(other.OpenKey, Alert("b1", AlertSeverity.Warning, T0) with { Kind = AlertKinds.Drift }, AlertSeverity.Rank, Timeout);

        var cleared = await Stores.Alerts.ClearAsync(Offline.OpenKey, T0.AddMinutes(5), Timeout);
        var again = await Stores.Alerts.ClearAsync(Offline.OpenKey, T0.AddMinutes(6), Timeout);
        var reopened = await Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert("a2", AlertSeverity.Warning, T0.AddMinutes(7)), AlertSeverity.Rank, Timeout);

        Assert.Equal(("a1", T0.AddMinutes(5)), (cleared?.Id, cleared?.ClearedAt));
        Assert.Null(again);
        Assert.Equal("a2", reopened?.Id);
        Assert.Equal(["a1", "b1", "a2"], (await Stores.Alerts.ListAsync(openOnly: false, Timeout)).Select(a => a.Id));
        Assert.Equal(["b1", "a2"], (await Stores.Alerts.ListAsync(openOnly: true, Timeout)).Select(a => a.Id));
    }

    [Fact]
    public async Task Replicas_raising_the_same_condition_at_once_open_one_alert()
    {
        var raised = await RunConcurrentlyAsync(8, i => Stores.Alerts.RaiseAsync(Offline.OpenKey, Alert($"r{i}", AlertSeverity.Warning, T0), AlertSeverity.Rank, Timeout));

        Assert.Single(raised, r => r is not null);
        Assert.Single(await Stores.Alerts.ListAsync(openOnly: false, Timeout));
    }

    private static AlertRecord Alert(string id, string severity, DateTimeOffset at) =>
        new(id, AlertKinds.Offline, "cam-1", null, null, severity, "cam-1 is silent", at, null);
}
