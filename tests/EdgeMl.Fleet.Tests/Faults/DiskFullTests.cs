using System.Diagnostics;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>
/// The agent's data directory on a small tmpfs that the test fills up: the update that cannot be written
/// fails with the reason, the current model goes on scoring, and once space is back the update arrives.
/// </summary>
[Collection(FaultCollection.Name)]
[Trait("Category", "FaultInjection")]
public sealed class DiskFullTests(FaultLedger ledger)
{
    private const string Fault = "agent's disk full";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_agent_whose_disk_is_full_keeps_scoring_with_its_model_and_recovers_when_space_is_back()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-disk-full-" + Guid.NewGuid().ToString("N")[..10]);
        var disk = Directory.CreateDirectory(Path.Combine(root, "disk")).FullName;
        var input = Directory.CreateDirectory(Path.Combine(root, "camera")).FullName;
        // Only a privileged process may mount; elsewhere the fault is listed as not run rather than faked.
        var (mounted, why) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", disk);
        if (!mounted)
        {
            ledger.NotRun(Fault, $"mounting a 6 MB tmpfs failed: {why}");
            return;
        }

        try
        {
            await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"));
            await fleet.PushAsync(RepoPaths.Package("v1"));
            await fleet.PushAsync(RepoPaths.Package("v2"));
            await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(disk, "agent"), "site=faults", input: input);
            await agent.StartAsync();
            var device = agent.DeviceId!;
            await fleet.SetDesiredStateAsync(device, "crack-detector:v1");
            await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.ActiveModel == "crack-detector:v1" && d.State == DeviceModelState.Active, Patience, "v1 active");

            var filler = Path.Combine(disk, "filler");
            Fill(filler);
            await fleet.SetDesiredStateAsync(device, "crack-detector:v2");
            var failed = await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.State == DeviceModelState.Failed, Patience, "the device to report the update failed");
            var scoredBefore = agent.Counters.Frames;
            Feed(input, 3);
            await Eventually.HoldsAsync(() => Task.FromResult(agent.Counters.Frames), n => n >= scoredBefore + 3, Patience, "frames scored while the disk is full");
            var keptScoring = agent.ActiveModel == "crack-detector:v1" && agent.Counters.Errors == 0;

            File.Delete(filler);
            await Eventually.HoldsAsync(() => fleet.DeviceAsync(device), d => d.ActiveModel == "crack-detector:v2" && d.State == DeviceModelState.Active, Patience, "v2 once space is back");

            ledger.Record(Fault, keptScoring);
            Assert.True(keptScoring, $"with the disk full the agent ran {agent.ActiveModel} with {agent.Counters.Errors} errors");
            Assert.Contains("space", failed.Reason, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("\n", failed.Reason, StringComparison.Ordinal);
            await agent.StopAsync();
        }
        finally
        {
            var (unmounted, error) = await RunAsync("umount", "-l", disk);
            Assert.True(unmounted, $"umount {disk}: {error}");
        }
    }

    private static void Fill(string path)
    {
        var block = new byte[64 * 1024];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // The disk is full: exactly what this test needs.
        }
    }

    private static void Feed(string input, int count)
    {
        var samples = Directory.GetFiles(Path.Combine(RepoPaths.Root, "models", "crack-detector", "samples"), "*.jpg").Take(count);
        foreach (var sample in samples)
        {
            var name = Guid.NewGuid().ToString("N");
            File.Copy(sample, Path.Combine(input, name + ".tmp"));
            File.Move(Path.Combine(input, name + ".tmp"), Path.Combine(input, name + ".jpg"));
        }
    }

    private static async Task<(bool Ok, string Error)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0, error.Trim());
    }
}
