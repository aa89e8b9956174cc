using System.Diagnostics;
using EdgeMl.Agent.Sync;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Xunit.Abstractions;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>
/// An agent process killed -9 at random moments of a model update (download, verify, install, load,
/// warm, switch): after each kill the files on disk name a verified model, the restarted agent scores
/// with the old or the new version, never a broken one, and then finishes the update.
/// </summary>
[Collection(FaultCollection.Name)]
[Trait("Category", "FaultInjection")]
public sealed class AgentKilledDuringUpdateTests(FaultLedger ledger, ITestOutputHelper output)
{
    private const int Points = 50;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_agent_killed_at_random_points_of_an_update_comes_back_on_the_old_or_the_new_verified_model()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-kill-update-" + Guid.NewGuid().ToString("N")[..10]);
        var data = Path.Combine(root, "agent");
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
        await fleet.PushVariantAsync("v2", "v2-k0");
        var token = await fleet.TokenAsync();
        var agent = StartAgent(fleet, data, token);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains("Enrolled as device", StringComparison.Ordinal), Patience, "the agent to enrol");
            var device = DeviceIdentity.Load(data)!.DeviceId;
            var window = await UpdateAsync(fleet, device, "v2-k0");

            // Kill moments spread over the time a whole update takes, measured once (with a margin), so every phase is hit.
            var seed = Environment.TickCount;
            var random = new Random(seed);
            output.WriteLine($"kill moments from seed {seed}, over {window.TotalMilliseconds:F0} ms");
            for (var point = 1; point <= Points; point++)
            {
                var previous = $"v2-k{point - 1}";
                var next = $"v2-k{point}";
                await fleet.PushVariantAsync("v2", next);
                await fleet.SetDesiredStateAsync(device, $"crack-detector:{next}");
                var delay = TimeSpan.FromMilliseconds(random.NextDouble() * window.TotalMilliseconds * 1.2);
                await Task.Delay(delay);
                agent.Kill();

                var onDisk = InstalledModelCheck.VerifiedActiveVersion(data);
                agent.Dispose();
                agent = StartAgent(fleet, data, token: null);
                var restored = await agent.WaitForLineAsync(l => l.Contains("restored from disk", StringComparison.Ordinal) || l.Contains("cannot be used", StringComparison.Ordinal), Patience, "the restarted agent to load its model from disk");
                var survived = onDisk is { } version && (version == previous || version == next)
                    && restored.Contains($"crack-detector:{onDisk} restored", StringComparison.Ordinal);
                await UpdateAsync(fleet, device, next);
                ledger.Record("agent killed -9 during a model update", survived);
                Assert.True(survived, $"kill {point} after {delay.TotalMilliseconds:F0} ms: on disk '{onDisk}', restarted with '{restored}' (expected {previous} or {next})");
            }
        }
        finally
        {
            agent.Dispose();
        }
    }

    private static ChildProcess StartAgent(TestFleet fleet, string data, string? token)
    {
        List<string> args = ["run", "--server", fleet.GrpcAddress, "--data", data, "--replay", Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples"), "--fps", "5", "--workers", "1"];
        if (token is not null)
        {
            args.AddRange(["--token", token, "--tags", "site=faults"]);
        }

        return ChildProcess.Start("edge-agent", [.. args]);
    }

    /// <summary>Sets the desired version and waits until the device reports it active; returns how long that took.</summary>
    private static async Task<TimeSpan> UpdateAsync(TestFleet fleet, string device, string version)
    {
        var clock = Stopwatch.StartNew();
        await fleet.SetDesiredStateAsync(device, $"crack-detector:{version}");
        await Eventually.HoldsAsync(
            () => fleet.DeviceAsync(device),
            d => d.State == DeviceModelState.Active && d.ActiveModel == $"crack-detector:{version}",
            Patience,
            $"the device to report {version} active");
        return clock.Elapsed;
    }
}
