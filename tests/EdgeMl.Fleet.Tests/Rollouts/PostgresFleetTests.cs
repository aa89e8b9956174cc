using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>The same fleet on PostgreSQL: registry, devices, rollouts and audit survive a server restart.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFleetTests(PostgresServer postgres)
{
    [Fact]
    public async Task Fleet_on_postgresql_rolls_out_and_keeps_its_state_across_a_restart()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgeml-pgfleet-" + Guid.NewGuid().ToString("N")[..10]);
        var database = (PostgresTestDatabase)await postgres.CreateDatabaseAsync();
        await using var fleet = await TestFleet.StartAsync(Path.Combine(root, "server"), postgres: database.ConnectionString);
        await fleet.PushAsync(RepoPaths.Package("v1"));
        await using var agent = new TestAgent(fleet.GrpcAddress, await fleet.TokenAsync(), Path.Combine(root, "agent"), "site=a,line=1");
        await agent.StartAsync();
        var request = new StartRolloutRequest { Model = "crack-detector:v1", Mode = "canary" };
        request.Waves.Add("100%");
        var rollout = await fleet.Admin.StartRolloutAsync(request);
        await fleet.WaitForRolloutAsync(rollout.RolloutId, "completed");

        await fleet.StopAsync();
        Assert.False(File.Exists(Path.Combine(fleet.Options.DataDirectory, "fleet.db")), "the server wrote SQLite although --postgres was given");
        await fleet.StartAsync();

        Assert.Equal("completed", (await fleet.RolloutAsync(rollout.RolloutId)).State);
        var model = Assert.Single((await fleet.Admin.ListModelsAsync(new ListModelsRequest())).Models);
        Assert.Equal(("crack-detector", "v1", 1L), (model.Name, model.Version, model.Sequence));
        var device = Assert.Single(await fleet.DevicesAsync());
        Assert.Equal("crack-detector:v1", device.ActiveModel);
        Assert.Equal("a", device.Tags["site"]);
        Directory.Delete(root, recursive: true);
    }
}
