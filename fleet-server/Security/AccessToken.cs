using System.Text;
using EdgeMl.Contracts.Signing;

namespace EdgeMl.Fleet.Security;

/// <summary>A bearer credential kept in a 0600 file of the data directory, made at first start; only its hash stays in memory.</summary>
internal sealed class AccessToken
{
    private readonly string _hash;

    private AccessToken(string id, string hash)
    {
        Id = id;
        _hash = hash;
    }

    /// <summary>Names the holder in the audit log without revealing the secret: the kind and the start of the secret's hash.</summary>
    public string Id { get; }

    public static AccessToken LoadOrCreate(string path, string kind)
    {
        if (!File.Exists(path))
        {
            SecretFile.Write(path, Encoding.UTF8.GetBytes(Secrets.NewToken() + "\n"));
        }

        var hash = Secrets.Hash(File.ReadAllText(path).Trim());
        return new AccessToken($"{kind}-{hash[..8]}", hash);
    }

    public bool Accepts(string? presented) => presented is not null && Secrets.Matches(presented, _hash);
}
