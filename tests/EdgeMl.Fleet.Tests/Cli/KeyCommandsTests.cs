using EdgeMl.Fleet.Tests.Infrastructure;

namespace EdgeMl.Fleet.Tests.Cli;

/// <summary><c>keys init|rotate</c> as an admin types them, on a data directory.</summary>
public sealed class KeyCommandsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-keys-cli-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Keys_init_and_rotate_say_in_one_line_what_they_did_or_why_not()
    {
        var data = Path.Combine(_root, "data");
        var rootKey = Path.Combine(_root, "offline", "root.key");

        var inside = await FleetCli.RunAsync(["keys", "init", "--data", data, "--root-out", Path.Combine(data, "root.key")]);
        var init = await FleetCli.RunAsync(["keys", "init", "--data", data, "--root-out", rootKey]);
        var rotate = await FleetCli.RunAsync(["keys", "rotate", "--data", data, "--root", rootKey]);
        var missing = await FleetCli.RunAsync(["keys", "rotate", "--data", data, "--root", Path.Combine(_root, "nowhere.key")]);
        var notAKey = Path.Combine(_root, "notes.txt");
        await File.WriteAllTextAsync(notAKey, "not a key");
        var garbage = await FleetCli.RunAsync(["keys", "rotate", "--data", data, "--root", notAKey]);

        Assert.Equal(2, inside.ExitCode);
        Assert.StartsWith("error: the root key must stay offline", inside.Error, StringComparison.Ordinal);
        Assert.Single(inside.Error.Trim().Split('\n'));
        Assert.Equal(0, init.ExitCode);
        Assert.Contains($"root key written to {rootKey}", init.Output, StringComparison.Ordinal);
        Assert.Contains("signing key generation 1", init.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rootKey));
        Assert.Equal(0, rotate.ExitCode);
        Assert.Contains("signing key generation 2", rotate.Output, StringComparison.Ordinal);
        Assert.Contains("is revoked", rotate.Output, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal($"error: there is no root key at {Path.Combine(_root, "nowhere.key")}; give the file 'keys init --root-out' wrote", missing.Error.Trim());
        Assert.Equal(2, garbage.ExitCode);
        Assert.Equal($"error: {notAKey} is not an Ed25519 private key; give the file 'keys init --root-out' wrote", garbage.Error.Trim());
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
