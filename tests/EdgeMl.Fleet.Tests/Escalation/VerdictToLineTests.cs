using System.Device.Gpio;
using EdgeMl.Agent.LineIo;
using EdgeMl.Agent.Tests.LineIo;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeMl.Fleet.Tests.Escalation;

/// <summary>An inspector's verdict travels back to the device that holds the part: ok releases it, defect scraps it.</summary>
public sealed class VerdictToLineTests : IAsyncLifetime
{
    private const int Trigger = 17;
    private const int Reject = 22;
    private const int Hold = 23;
    private const int Release = 24;
    private const int Scrap = 25;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-verdicts-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeTimeProvider _lineTime = new();
    private TestFleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_inspectors_verdict_releases_an_ok_part_and_scraps_a_defective_one_from_the_hold_lane()
    {
        var chip = new SimulatedGpioChip(_lineTime);
        var scoring = new Parts();
        using var router = new PartRouter(new GpioController(chip), LineOptions(), scoring, _lineTime, NullLogger<PartRouter>.Instance);
        await using var agent = await CaseAgent.EnrolAsync(_fleet, Path.Combine(_root, "agent"), router);
        await agent.StartAsync();
        var first = Arrive(chip, scoring);
        var second = Arrive(chip, scoring);
        foreach (var part in new[] { first, second })
        {
            router.Decide(new PartDecision(part, LineDecision.Escalate));
            await agent.Sink.ConsumeAsync(CaseAgent.Outcome($"frame-{part}", part: part), CancellationToken.None);
        }

        Assert.Equal([first, second], router.WaitingForPerson);
        var cases = await Eventually.HoldsAsync(() => Stores.Cases.ListAsync(CaseRecord.Open, CancellationToken.None), c => c.Count == 2, TimeSpan.FromSeconds(30), "both cases on the server");
        using var admin = new HttpClient { BaseAddress = new Uri(_fleet.HttpAddress) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", _fleet.AdminToken);
        (await admin.PostAsync($"/review/cases/{cases[0].Id}/verdict", Verdict("ok"))).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/review/cases/{cases[1].Id}/verdict", Verdict("defect"))).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(() => Task.FromResult(router.WaitingForPerson.Count), n => n == 0, TimeSpan.FromSeconds(30), "both parts to leave the hold lane");
        Assert.Single(chip.Pulses(Release));
        Assert.Single(chip.Pulses(Scrap));
        Assert.Empty(chip.Pulses(Reject));
        await Eventually.HoldsAsync(() => Stores.Cases.OwedVerdictsAsync(cases[0].DeviceId, 10, CancellationToken.None), owed => owed.Count == 0, TimeSpan.FromSeconds(30), "the device to acknowledge both verdicts");
    }

    [Fact]
    public async Task A_device_is_sent_only_its_own_decided_cases_and_each_until_it_acknowledges_it()
    {
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var (client, mine, _) = await TestCases.EnrolAsync(_fleet, channel);
        var (_, theirs, _) = await TestCases.EnrolAsync(_fleet, channel);
        await client.UploadCaseAsync(TestCases.Upload("mine-1", 1_000), mine);
        await client.UploadCaseAsync(TestCases.Upload("mine-2", 2_000), mine);
        await client.UploadCaseAsync(TestCases.Upload("theirs-1", 3_000), theirs);
        foreach (var (id, verdict) in new[] { ("mine-1", "defect"), ("theirs-1", "ok") })
        {
            await Stores.Cases.RecordVerdictAsync(id, "ann", verdict, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var first = await FirstVerdictAsync(client, mine);
        await client.AcknowledgeVerdictsAsync(new AcknowledgeVerdictsRequest { CaseIds = { "mine-1", "theirs-1" } }, mine);
        await Stores.Cases.RecordVerdictAsync("mine-2", "ann", "ok", DateTimeOffset.UtcNow, CancellationToken.None);
        var next = await FirstVerdictAsync(client, mine);

        Assert.Equal(("mine-1", "defect", "ann"), (first.CaseId, first.Verdict, first.Inspector));
        Assert.Equal(("mine-2", "ok"), (next.CaseId, next.Verdict));
        Assert.Single(await Stores.Cases.OwedVerdictsAsync((await Stores.Cases.GetAsync("theirs-1", CancellationToken.None))!.DeviceId, 10, CancellationToken.None));
    }

    private static async Task<CaseVerdict> FirstVerdictAsync(CaseService.CaseServiceClient client, Grpc.Core.Metadata credentials)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = client.WatchVerdicts(new WatchVerdictsRequest(), credentials, cancellationToken: deadline.Token);
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        return call.ResponseStream.Current;
    }

    private long Arrive(SimulatedGpioChip chip, Parts scoring)
    {
        chip.Drive(Trigger, PinValue.High);
        _lineTime.Advance(TimeSpan.FromMilliseconds(10));
        chip.Drive(Trigger, PinValue.Low);
        _lineTime.Advance(TimeSpan.FromMilliseconds(10));
        return scoring.Requested[^1];
    }

    private static LineIoOptions LineOptions() => new()
    {
        Enabled = true,
        TriggerPin = Trigger,
        RejectPin = Reject,
        HoldPin = Hold,
        ReleasePin = Release,
        ScrapPin = Scrap,
        Debounce = TimeSpan.FromMilliseconds(10),
        VerdictDeadline = TimeSpan.FromMilliseconds(300),
        GatePulse = TimeSpan.FromMilliseconds(100),
        FailSafe = FailSafeRoute.Hold,
    };

    private static FormUrlEncodedContent Verdict(string verdict) => new([KeyValuePair.Create("verdict", verdict)]);

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();

    private sealed class Parts : IScoreRequests
    {
        public List<long> Requested { get; } = [];

        public void ScoreNextFrame(long partId) => Requested.Add(partId);
    }
}
