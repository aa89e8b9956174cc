using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeMl.Fleet.Tests.Cli;

/// <summary><c>dataset export</c>: reviewed images in a folder per label, and a CSV, for retraining.</summary>
public sealed class DatasetCliTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-dataset-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Export_writes_images_reviewed_since_the_date_a_folder_per_label_and_a_csv()
    {
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var (client, credentials, deviceId) = await TestCases.EnrolAsync(_fleet, channel, ("site", "a"), ("line", "3"));
        foreach (var id in new[] { "old", "good", "bad", "unsure", "open" })
        {
            await client.UploadCaseAsync(TestCases.Upload(id, 1_000), credentials);
        }

        var cases = _fleet.Services.GetRequiredService<FleetStores>().Cases;
        await cases.RecordVerdictAsync("old", "ann", "ok", new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero), CancellationToken.None);
        await cases.RecordVerdictAsync("good", "ann", "ok", new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), CancellationToken.None);
        await cases.RecordVerdictAsync("bad", "bob", "defect", new DateTimeOffset(2026, 11, 3, 8, 0, 0, TimeSpan.Zero), CancellationToken.None);
        await cases.RecordVerdictAsync("unsure", "ann", "unsure", new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero), CancellationToken.None);
        var output = Path.Combine(_root, "dataset");

        var export = await FleetCli.RunAsync(["dataset", "export", "--since", "2026-11-01", "--out", output, "--data", Path.Combine(_root, "server")]);
        var wrongDate = await FleetCli.RunAsync(["dataset", "export", "--since", "last week", "--out", output, "--data", Path.Combine(_root, "server")]);

        Assert.Equal(0, export.ExitCode);
        Assert.Equal(TestCases.Jpeg, await File.ReadAllBytesAsync(Path.Combine(output, "ok", "good.jpg")));
        Assert.Equal(TestCases.Jpeg, await File.ReadAllBytesAsync(Path.Combine(output, "defect", "bad.jpg")));
        Assert.Equal(["bad.jpg"], Directory.GetFiles(Path.Combine(output, "defect")).Select(Path.GetFileName));
        Assert.Equal(["good.jpg"], Directory.GetFiles(Path.Combine(output, "ok")).Select(Path.GetFileName));
        var csv = await File.ReadAllLinesAsync(Path.Combine(output, "labels.csv"));
        Assert.Equal("file,label,case_id,device_id,site,line,model_name,model_version,decision,model_call,captured_at,reviewed_at,reviewed_by", csv[0]);
        Assert.Equal(
            [
                $"ok/good.jpg,ok,good,{deviceId},a,3,crack-detector,v1,escalate,reject,1970-01-01T00:00:01.000Z,2026-11-02T08:00:00.000Z,ann",
                $"defect/bad.jpg,defect,bad,{deviceId},a,3,crack-detector,v1,escalate,reject,1970-01-01T00:00:01.000Z,2026-11-03T08:00:00.000Z,bob",
            ],
            csv[1..]);
        Assert.Equal((2, "error: --since 'last week' is not a date; give e.g. 2026-11-01 or 2026-11-01T08:00:00Z"), (wrongDate.ExitCode, wrongDate.Error.Trim()));
    }
}
