using System.Security.Cryptography;
using System.Text;
using EdgeMl.Contracts.Signing;
using EdgeMl.Fleet.Security;

namespace EdgeMl.Fleet.Messaging;

/// <summary>
/// The fleet server's own MQTT account: a fixed user name and a secret made at first start in an owner-only file
/// of the data directory. The server connects with it to read telemetry and, on Mosquitto, to manage device accounts.
/// </summary>
internal sealed class MqttServerCredential
{
    public const string File = "mqtt-server.secret";

    /// <summary>Not a possible device id (those are <c>dev-&lt;hex&gt;</c>), so no device can take the server's name.</summary>
    public const string UserName = "edgeml-server";

    private MqttServerCredential(string password) => Password = password;

    public string Password { get; }

    public static MqttServerCredential LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, File);
        if (!System.IO.File.Exists(path))
        {
            SecretFile.Write(path, Encoding.UTF8.GetBytes(Secrets.NewToken() + "\n"));
        }

        return new MqttServerCredential(System.IO.File.ReadAllText(path).Trim());
    }

    public bool Accepts(string? userName, string presented) =>
        userName == UserName && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Password));
}
