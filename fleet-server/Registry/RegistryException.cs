namespace EdgeMl.Fleet.Registry;

/// <summary>A push the registry refuses; <see cref="Kind"/> says whether the package is bad or the version is taken.</summary>
internal sealed class RegistryException(RegistryException.Reason kind, string message) : Exception(message)
{
    public enum Reason
    {
        Invalid,
        Conflict,
        NotFound,
    }

    public Reason Kind { get; } = kind;
}
