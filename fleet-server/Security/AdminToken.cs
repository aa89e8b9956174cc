using System.Text;
using EdgeMl.Contracts.Signing;

namespace EdgeMl.Fleet.Security;

/// <summary>The admin credential: written to &lt;data&gt;/admin.token (0600) at first start, required on every admin call.</summary>
internal sealed class AdminToken
{
    public const string FileName = "admin.token";

    private readonly string _hash;

    private AdminToken(string hash) => _hash = hash;

    public static AdminToken LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            SecretFile.Write(path, Encoding.UTF8.GetBytes(Secrets.NewToken() + "\n"));
        }

        return new AdminToken(Secrets.Hash(File.ReadAllText(path).Trim()));
    }

    public bool Accepts(string? presented) => presented is not null && Secrets.Matches(presented, _hash);
}
