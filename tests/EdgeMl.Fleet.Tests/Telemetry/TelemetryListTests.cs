using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeMl.Contracts.Telemetry;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Telemetry;

/// <summary><c>telemetry list</c> and <c>GET /api/telemetry</c>: the stored aggregates, filtered by device and time, the same on both.</summary>
public sealed class TelemetryListTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-2);
    private readonly string _root = Directory.CreateTempSubdirectory("edgeml-telemetry-list-").FullName;
    private TestFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        await _fleet.Services.GetRequiredService<FleetStores>().Telemetry.AddAsync(
            [Record("dev-a", "m-old", Start), Record("dev-a", "m-new", Start.AddHours(1.5)), Record("dev-b", "m-other", Start.AddHours(1.5)), Cuda("dev-gpu", "m-cuda", Start.AddHours(1.5))],
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_api_lists_one_devices_aggregates_since_a_time_for_the_admin_only()
    {
        using var listed = await GetAsync("/api/telemetry?device=dev-a&since=1h", _fleet.AdminToken);
        using var anonymous = await GetAsync("/api/telemetry", null);
        using var badSince = await GetAsync("/api/telemetry?since=yesterday-ish", _fleet.AdminToken);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var rows = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(["m-new"], rows.Select(r => r.GetProperty("messageId").GetString()));
        Assert.Equal(("dev-a", 10, 2, 1), (rows[0].GetProperty("deviceId").GetString(), rows[0].GetProperty("frames").GetInt32(), rows[0].GetProperty("escalations").GetInt32(), rows[0].GetProperty("errors").GetInt32()));
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("gpuMemoryBytes").ValueKind);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);
    }

    [Fact]
    public async Task The_cli_lists_what_the_api_lists()
    {
        var json = await FleetCli.RunAsync(["telemetry", "list", "--data", _root, "--device", "dev-a", "--json"]);
        var text = await FleetCli.RunAsync(["telemetry", "list", "--data", _root, "--since", Start.AddHours(1).ToString("O")]);
        var bad = await FleetCli.RunAsync(["telemetry", "list", "--data", _root, "--since", "soon"]);

        Assert.Equal(0, json.ExitCode);
        var ids = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Select(r => r.GetProperty("messageId").GetString()).ToList();
        Assert.Equal(["m-old", "m-new"], ids);
        Assert.Equal(0, text.ExitCode);
        Assert.Equal(3, text.Output.Trim().Split('\n').Length);
        Assert.Contains("crack-detector:v2", text.Output, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(bad.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task The_api_and_the_cli_show_the_gpu_memory_an_aggregate_carries()
    {
        using var listed = await GetAsync("/api/telemetry?device=dev-gpu", _fleet.AdminToken);
        var text = await FleetCli.RunAsync(["telemetry", "list", "--data", _root, "--device", "dev-gpu"]);
        var cpu = await FleetCli.RunAsync(["telemetry", "list", "--data", _root, "--device", "dev-b"]);

        var row = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Single();
        Assert.Equal(("cuda", 512UL * 1024 * 1024), (row.GetProperty("executionProvider").GetString(), row.GetProperty("gpuMemoryBytes").GetUInt64()));
        Assert.Contains("gpu 512 MB", text.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("gpu", cpu.Output, StringComparison.Ordinal);
    }

    // What an agent scoring on CUDA sends: the process's GPU memory beside its CPU and resident memory.
    private static TelemetryRecord Cuda(string device, string id, DateTimeOffset start)
    {
        var record = Record(device, id, start);
        record.Aggregate.ExecutionProvider = "cuda";
        record.Aggregate.GpuMemoryBytes = 512UL * 1024 * 1024;
        return record;
    }

    private static TelemetryRecord Record(string device, string id, DateTimeOffset start) => new(device, start.AddSeconds(10), new ModelAggregate
    {
        MessageId = id,
        WindowStart = Timestamp.FromDateTimeOffset(start),
        WindowEnd = Timestamp.FromDateTimeOffset(start.AddSeconds(10)),
        Role = ModelRole.Active,
        ModelName = "crack-detector",
        ModelVersion = "v2",
        Frames = 10,
        Decisions = new DecisionCounts { Auto = 7, Escalate = 2, Error = 1 },
    });

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_fleet.HttpAddress + path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }
}
