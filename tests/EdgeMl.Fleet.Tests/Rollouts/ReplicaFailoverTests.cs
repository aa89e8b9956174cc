using EdgeMl.Fleet.Bench;
using EdgeMl.Fleet.Cli;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Fleet.Tests.Rollouts;

/// <summary>
/// Two fleet-server processes on one PostgreSQL and one Mosquitto, sharing the data directory (keys, artifacts), with
/// devices on each: desired states reach devices on either replica, and killing the leader mid-rollout leaves the other
/// to finish it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaFailoverTests(PostgresServer postgres, MosquittoBroker broker) : IClassFixture<MosquittoBroker>
{
    private const string Leader = "edgeml_rollout_leader";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_surviving_replica_finishes_the_rollout_when_the_leading_one_is_killed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancellationToken = timeout.Token;
        var root = Directory.CreateTempSubdirectory("edgeml-replicas-").FullName;
        var database = (PostgresTestDatabase)await postgres.CreateDatabaseAsync();
        string[] flags = ["--postgres", database.ConnectionString, "--mqtt-broker", broker.Address];
        await using var first = await ServerUnderTest.StartAsync(broker.DataDirectory, flags, cancellationToken);
        await Eventually.HoldsAsync(() => first.GaugeAsync(Leader, cancellationToken), leads => leads == 1, Deadline, "the first replica to lead");
        await using var second = await ServerUnderTest.StartAsync(broker.DataDirectory, flags, cancellationToken);
        await ModelUpload.PushDirectoryAsync(second.Admin, RepoPaths.Package("v1"), cancellationToken);
        await ModelUpload.PushDirectoryAsync(second.Admin, RepoPaths.Package("v2"), cancellationToken);
        var onFirst = new[] { await AgentAsync(first, root, "first-0"), await AgentAsync(first, root, "first-1") };
        var onSecond = new[] { await AgentAsync(second, root, "second-0"), await AgentAsync(second, root, "second-1") };
        try
        {
            await first.WaitStreamingAsync(2, Deadline, cancellationToken);
            await second.WaitStreamingAsync(2, Deadline, cancellationToken);
            Assert.Equal(0, await second.GaugeAsync(Leader, cancellationToken));

            // Started on the replica that does not lead: the devices on the other one hear of it through PostgreSQL only.
            var v1 = await StartAsync(second, "crack-detector:v1", ["100%"], bakeSeconds: 0, cancellationToken);
            await WaitForModelAsync([.. onFirst, .. onSecond], "crack-detector:v1");
            await WaitForRolloutAsync(second, v1, r => r.State == "completed", "the v1 rollout to be completed by the leader");

            var v2 = await StartAsync(first, "crack-detector:v2", ["1", "100%"], bakeSeconds: 3, cancellationToken);
            await WaitForRolloutAsync(first, v2, r => r.Waves.Count > 0 && r.Waves[0].Updated == 1, "the first wave of v2 to be updated");
            await first.KillAsync();

            await Eventually.HoldsAsync(() => second.GaugeAsync(Leader, cancellationToken), leads => leads == 1, Deadline, "the surviving replica to lead");
            var done = await WaitForRolloutAsync(second, v2, r => r.State != "running", "the survivor to finish the v2 rollout");
            Assert.Equal("completed", done.State);
            await WaitForModelAsync(onSecond, "crack-detector:v2");
        }
        finally
        {
            foreach (var agent in onFirst.Concat(onSecond))
            {
                await agent.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<TestAgent> AgentAsync(ServerUnderTest server, string root, string name)
    {
        var token = (await server.Admin.CreateEnrolmentTokenAsync(new CreateEnrolmentTokenRequest { TtlSeconds = 600 })).Token;
        var agent = new TestAgent(server.GrpcAddress, token, Path.Combine(root, name), "site=a");
        await agent.StartAsync();
        return agent;
    }

    private static async Task<string> StartAsync(ServerUnderTest server, string model, string[] waves, long bakeSeconds, CancellationToken cancellationToken)
    {
        var request = new StartRolloutRequest { Model = model, Mode = "canary", BakeSeconds = bakeSeconds };
        request.Waves.Add(waves);
        return (await server.Admin.StartRolloutAsync(request, cancellationToken: cancellationToken)).RolloutId;
    }

    private static Task<RolloutStatus> WaitForRolloutAsync(ServerUnderTest server, string id, Func<RolloutStatus, bool> condition, string what) =>
        Eventually.HoldsAsync(async () => await server.Admin.GetRolloutAsync(new GetRolloutRequest { RolloutId = id }), condition, Deadline, what);

    private static Task<List<string?>> WaitForModelAsync(IReadOnlyList<TestAgent> agents, string model) =>
        Eventually.HoldsAsync(
            () => Task.FromResult(agents.Select(a => a.ActiveModel).ToList()),
            active => active.All(m => m == model),
            Deadline,
            $"every device to run {model}");
}
