using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Faults;

/// <summary>The server killed -9 in every wave of a rollout and started again: the rollout resumes where it was and completes.</summary>
[Collection(FaultCollection.Name)]
[Trait("Category", "FaultInjection")]
public sealed class ServerKilledMidRolloutTests(FaultLedger ledger)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_server_killed_in_each_wave_resumes_the_rollout_and_completes_it()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-kill-server-" + Guid.NewGuid().ToString("N")[..10]);
        using var server = await ServerProcess.StartAsync(Path.Combine(root, "server"));
        await ModelUpload.PushDirectoryAsync(server.Admin, RepoPaths.Package("v1"), CancellationToken.None);
        await ModelUpload.PushDirectoryAsync(server.Admin, RepoPaths.Package("v2"), CancellationToken.None);
        var agents = new List<TestAgent>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var token = (await server.Admin.CreateEnrolmentTokenAsync(new CreateEnrolmentTokenRequest { TtlSeconds = 600 })).Token;
                var agent = new TestAgent(server.GrpcAddress, token, Path.Combine(root, $"agent-{i}"), "site=faults");
                await agent.StartAsync();
                agents.Add(agent);
            }

            await CompleteAsync(server, await StartAsync(server, "crack-detector:v1", "100%"));
            var rollout = await StartAsync(server, "crack-detector:v2", "1,50%,100%");

            // One kill as each wave is under way: the engine's steps are transactions, so what a kill cuts off is redone.
            for (var wave = 0; wave < 3; wave++)
            {
                await Eventually.HoldsAsync(
                    () => StatusAsync(server, rollout),
                    s => s.State == "completed" || s.Waves.Count > wave,
                    Patience,
                    $"wave {wave + 1} to start");
                server.Kill();
                await server.StartAsync();
                var resumed = await Eventually.HoldsAsync(() => StatusAsync(server, rollout), s => s.State is "completed" or "rolled-back" or "aborted" || s.Waves.Count > wave + 1, Patience, $"the rollout to go on after the kill in wave {wave + 1}");
                ledger.Record("server killed -9 mid-rollout", resumed.State != "rolled-back" && resumed.State != "aborted");
            }

            var done = await CompleteAsync(server, rollout);
            Assert.Equal("completed", done.State);
            var devices = (await server.Admin.ListDevicesAsync(new ListDevicesRequest())).Devices;
            Assert.True(devices.All(d => d.ActiveModel == "crack-detector:v2"), $"rollout {done} completed, devices {devices}");
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    private static async Task<string> StartAsync(ServerProcess server, string model, string waves)
    {
        var request = new StartRolloutRequest { Model = model, Mode = "canary" };
        request.Waves.Add(waves.Split(','));
        return (await server.Admin.StartRolloutAsync(request)).RolloutId;
    }

    private static Task<RolloutStatus> StatusAsync(ServerProcess server, string id) =>
        server.Admin.GetRolloutAsync(new GetRolloutRequest { RolloutId = id }).ResponseAsync;

    private static Task<RolloutStatus> CompleteAsync(ServerProcess server, string id) =>
        Eventually.HoldsAsync(() => StatusAsync(server, id), s => s.State is "completed" or "rolled-back" or "aborted", Patience, $"rollout {id} to finish");
}
