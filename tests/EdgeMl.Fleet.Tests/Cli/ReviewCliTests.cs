using System.Net;
using System.Text.Json;
using EdgeMl.Fleet.Tests.Infrastructure;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Cli;

/// <summary><c>inspector add</c> and <c>case list</c> as an admin types them on the server host.</summary>
public sealed class ReviewCliTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-reviewcli-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;

    public async Task InitializeAsync() => _fleet = await TestFleet.StartAsync(_root);

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Inspector_add_prints_a_generated_password_once_that_logs_in_and_refuses_the_name_again()
    {
        var added = await FleetCli.RunAsync(["inspector", "add", "ann", "--data", _root]);
        var again = await FleetCli.RunAsync(["inspector", "add", "ann", "--data", _root]);

        Assert.Equal(0, added.ExitCode);
        var password = added.Output.Trim().Split("(shown once): ")[1];
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_fleet.HttpAddress) };
        using var login = await client.PostAsync("/login", new FormUrlEncodedContent([KeyValuePair.Create("name", "ann"), KeyValuePair.Create("password", password)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal((1, "error: an account 'ann' exists already"), (again.ExitCode, again.Error.Trim()));
    }

    [Fact]
    public async Task Admin_add_makes_an_account_that_logs_in_to_the_dashboard_and_shares_names_with_inspectors()
    {
        var added = await FleetCli.RunAsync(["admin", "add", "root", "--data", _root]);
        var taken = await FleetCli.RunAsync(["inspector", "add", "root", "--data", _root]);
        var reserved = await FleetCli.RunAsync(["admin", "add", "admin", "--data", _root]);

        Assert.Equal(0, added.ExitCode);
        var password = added.Output.Trim().Split("(shown once): ")[1];
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_fleet.HttpAddress) };
        using var login = await client.PostAsync("/login", new FormUrlEncodedContent([KeyValuePair.Create("name", "root"), KeyValuePair.Create("password", password)]));
        Assert.Equal((HttpStatusCode.Redirect, "/"), (login.StatusCode, login.Headers.Location?.OriginalString));
        Assert.Equal((1, "error: an account 'root' exists already"), (taken.ExitCode, taken.Error.Trim()));
        Assert.Equal(2, reserved.ExitCode);
    }

    [Fact]
    public async Task Inspector_add_takes_the_password_from_stdin_and_refuses_a_short_one()
    {
        var added = await FleetCli.RunAsync(["inspector", "add", "bob", "--password-stdin", "--data", _root], input: "a long enough secret\n");
        var shortOne = await FleetCli.RunAsync(["inspector", "add", "carl", "--password-stdin", "--data", _root], input: "short\n");

        Assert.Equal((0, "inspector bob added"), (added.ExitCode, added.Output.Trim()));
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_fleet.HttpAddress) };
        using var login = await client.PostAsync("/login", new FormUrlEncodedContent([KeyValuePair.Create("name", "bob"), KeyValuePair.Create("password", "a long enough secret")]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal((2, "error: the password must have at least 12 characters"), (shortOne.ExitCode, shortOne.Error.Trim()));
    }

    [Fact]
    public async Task Case_list_shows_cases_by_status_as_text_and_json()
    {
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var (client, credentials, deviceId) = await TestCases.EnrolAsync(_fleet, channel);
        await client.UploadCaseAsync(TestCases.Upload("c-1", 1_000), credentials);
        await client.UploadCaseAsync(TestCases.Upload("c-2", 2_000), credentials);
        using var admin = new HttpClient { BaseAddress = new Uri(_fleet.HttpAddress) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", _fleet.AdminToken);
        (await admin.PostAsync("/review/cases/c-1/verdict", new FormUrlEncodedContent([KeyValuePair.Create("verdict", "ok")]))).EnsureSuccessStatusCode();

        var reviewed = await FleetCli.RunAsync(["case", "list", "--status", "reviewed", "--data", _root]);
        var open = await FleetCli.RunAsync(["case", "list", "--status", "open", "--json", "--data", _root]);
        var wrong = await FleetCli.RunAsync(["case", "list", "--status", "closed", "--data", _root]);

        Assert.Equal($"c-1  {deviceId}  crack-detector:v1  ok=0.450 crack=0.550  escalate  reviewed  ok by admin", reviewed.Output.Trim());
        var listed = Assert.Single(JsonDocument.Parse(open.Output).RootElement.EnumerateArray());
        Assert.Equal(("c-2", "open", 0.55), (listed.GetProperty("id").GetString(), listed.GetProperty("status").GetString(), listed.GetProperty("probabilities").GetProperty("crack").GetDouble()));
        Assert.NotEqual(0, wrong.ExitCode);
    }
}
