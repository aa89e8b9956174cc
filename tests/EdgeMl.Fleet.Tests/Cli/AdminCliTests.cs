using System.Text.Json.Nodes;
using EdgeMl.Contracts.Packaging;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Cli;

/// <summary>The admin commands as an admin types them, against a running server.</summary>
public sealed class AdminCliTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-cli-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(Path.Combine(_root, "server"));
        _token = (await File.ReadAllTextAsync(Path.Combine(_fleet.Options.DataDirectory, "admin.token"))).Trim();
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Admin_token_is_written_for_the_owner_only()
    {
        var mode = File.GetUnixFileMode(Path.Combine(_fleet.Options.DataDirectory, "admin.token"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task Pushes_a_package_once_and_refuses_other_bytes_under_the_same_version()
    {
        var first = await RunAsync("model", "push", RepoPaths.Package("v1"), "--json");
        var again = await RunAsync("model", "push", RepoPaths.Package("v1"));
        var changed = Path.Combine(_root, "changed");
        Directory.CreateDirectory(changed);
        File.Copy(Path.Combine(RepoPaths.Package("v2"), "model.onnx"), Path.Combine(changed, "model.onnx"));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Package("v2"), "manifest.json")))!;
        manifest["version"] = "v1";
        await File.WriteAllTextAsync(Path.Combine(changed, "manifest.json"), manifest.ToJsonString());
        var conflict = await RunAsync("model", "push", changed);
        var list = await RunAsync("model", "list");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(1, JsonNode.Parse(first.Output)!["sequence"]!.GetValue<long>());
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("already in the registry with other bytes", conflict.Error, StringComparison.Ordinal);
        Assert.Single(list.Output.Trim().Split('\n'));
    }

    [Fact]
    public async Task Refuses_a_package_whose_hash_does_not_match_at_push()
    {
        var broken = Path.Combine(_root, "broken");
        Directory.CreateDirectory(broken);
        File.Copy(Path.Combine(RepoPaths.Package("v1"), "model.onnx"), Path.Combine(broken, "model.onnx"));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Package("v1"), "manifest.json")))!;
        manifest["sha256"] = new string('0', 64);
        await File.WriteAllTextAsync(Path.Combine(broken, "manifest.json"), manifest.ToJsonString());

        var result = await RunAsync("model", "push", broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("model.onnx has SHA-256", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_commands_need_the_token()
    {
        var result = await RunWithTokenAsync(null, "device", "list");
        var wrong = await RunWithTokenAsync("not-the-token", "device", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--admin-token", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("Unauthenticated", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issues_tokens_and_records_who_did_what()
    {
        var token = await RunAsync("device", "token");
        var history = await RunAsync("rollout", "history", "--json");

        Assert.Equal(0, token.ExitCode);
        // <secret>.<fingerprint>: 32 random bytes in base64url, then the SHA-256 of the fleet's root key in hex.
        Assert.Matches("^[A-Za-z0-9_-]{43}\\.[0-9a-f]{64}$", token.Output.Trim());
        var entries = JsonNode.Parse(history.Output)!["entries"]!.AsArray();
        Assert.Contains(entries, e => e!["action"]!.ToString() == "device.token" && e["actor"]!.ToString() == "admin-" + Secrets.Hash(_token)[..8]);
    }

    [Fact]
    public async Task Lists_the_devices_a_rollout_would_refuse_with_the_fields_their_agents_do_not_read_and_starts_without_them_when_asked()
    {
        await RunAsync("model", "push", RepoPaths.Package("v3"));
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var devices = new DeviceService.DeviceServiceClient(channel);
        var older = await devices.EnrolAsync(new EnrolRequest
        {
            Token = await _fleet.TokenAsync(),
            AgentVersion = "0.9",
            ManifestFields = { ManifestFields.Known.Where(f => !f.StartsWith("explanation", StringComparison.Ordinal)) },
        });
        await devices.EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync(), AgentVersion = "1.0", ManifestFields = { ManifestFields.Known } });

        var start = await RunAsync("rollout", "start", "--model", "crack-detector:v3");
        var unfit = await RunAsync("device", "list", "--cannot-read", "crack-detector:v3");
        var all = await RunAsync("device", "list");
        var unknown = await RunAsync("device", "list", "--cannot-read", "crack-detector:v9");
        var skipping = await RunAsync("rollout", "start", "--model", "crack-detector:v3", "--skip-old-agents");
        var history = await RunAsync("rollout", "history");

        Assert.Equal(1, start.ExitCode);
        Assert.Contains($"1 of 2 devices would refuse crack-detector:v3: their agents do not read the manifest's explanation ({older.DeviceId})", start.Error, StringComparison.Ordinal);
        Assert.Single(start.Error.Trim().Split('\n'));
        var line = Assert.Single(unfit.Output.Trim().Split('\n'));
        Assert.StartsWith(older.DeviceId, line, StringComparison.Ordinal);
        Assert.EndsWith("agent 0.9  does not read explanation", line, StringComparison.Ordinal);
        Assert.Equal(2, all.Output.Trim().Split('\n').Length);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("crack-detector:v9", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(0, skipping.ExitCode);
        Assert.Contains($"1 left out: their agents do not read the manifest's explanation ({older.DeviceId})", history.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_of_a_missing_package_prints_one_line()
    {
        var result = await RunAsync("model", "push", Path.Combine(_root, "no-such-package"));

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Contains("no-such-package", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_revoke_removes_the_device_and_says_when_there_is_none()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var enrolled = await new DeviceService.DeviceServiceClient(channel).EnrolAsync(new EnrolRequest { Token = await _fleet.TokenAsync() });

        var revoked = await RunAsync("device", "revoke", enrolled.DeviceId);
        var again = await RunAsync("device", "revoke", enrolled.DeviceId);

        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal($"revoked {enrolled.DeviceId}", revoked.Output.Trim());
        Assert.Empty(await _fleet.DevicesAsync());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("NotFound", again.Error, StringComparison.Ordinal);
    }

    private Task<FleetCli.Result> RunAsync(params string[] arguments) => RunWithTokenAsync(_token, arguments);

    private Task<FleetCli.Result> RunWithTokenAsync(string? token, params string[] arguments) =>
        FleetCli.RunAsync([.. arguments, "--server", _fleet.GrpcAddress], token);
}
