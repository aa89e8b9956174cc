using System.CommandLine;
using EdgeMl.Fleet.Hosting;
using EdgeMl.Fleet.Security;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>keys init|rotate</c>: key roles on the data directory; the server picks them up when it (re)starts.</summary>
internal static class KeyCommands
{
    public static Command Create()
    {
        var keys = new Command("keys", "Fleet keys: an offline root key that endorses the server's online signing key");

        var initData = DataOption();
        var rootOut = new Option<string>("--root-out") { Description = "Where to write the offline root key (outside the data directory)", Required = true };
        var init = new Command("init", "Make the offline root key and a root-endorsed signing key; an existing fleet key becomes the root") { initData, rootOut };
        init.SetAction(result => Run(() =>
        {
            var outcome = KeyCeremony.Init(result.GetRequiredValue(initData), result.GetRequiredValue(rootOut));
            return
                $"root key written to {Path.GetFullPath(result.GetRequiredValue(rootOut))} (fingerprint {outcome.RootFingerprint}); keep it offline, only 'keys rotate' needs it" + Environment.NewLine +
                (outcome.RootFromFleetKey ? "the fleet's existing key became the root, so enrolled devices keep trusting this fleet" + Environment.NewLine : "") +
                $"signing key generation {outcome.Generation} (key id {outcome.SigningKeyId}) installed; restart the server to sign with it";
        }));
        keys.Subcommands.Add(init);

        var rotateData = DataOption();
        var root = new Option<string>("--root") { Description = "The offline root key that 'keys init' wrote", Required = true };
        var rotate = new Command("rotate", "Install a new root-endorsed signing key; devices refuse the old one from then on") { rotateData, root };
        rotate.SetAction(result => Run(() =>
        {
            var outcome = KeyCeremony.Rotate(result.GetRequiredValue(rotateData), result.GetRequiredValue(root));
            return
                $"signing key generation {outcome.Generation} (key id {outcome.SigningKeyId}) installed; key {outcome.RevokedKeyId} is revoked" + Environment.NewLine +
                "restart the server: it re-signs the registry's packages, and devices follow the new key with their next desired state, without re-enrolment";
        }));
        keys.Subcommands.Add(rotate);
        return keys;
    }

    private static Option<string> DataOption() => new("--data")
    {
        Description = "The server's data directory",
        DefaultValueFactory = _ => new FleetServerOptions().DataDirectory,
    };

    private static int Run(Func<string> ceremony)
    {
        try
        {
            Console.Out.WriteLine(ceremony());
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or Google.Protobuf.InvalidProtocolBufferException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
