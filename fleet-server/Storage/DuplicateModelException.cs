namespace EdgeMl.Fleet.Storage;

/// <summary>A model version that is already stored; versions are immutable, so the caller compares hashes.</summary>
internal sealed class DuplicateModelException : Exception
{
    public DuplicateModelException()
    {
    }

    public DuplicateModelException(string message)
        : base(message)
    {
    }

    public DuplicateModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DuplicateModelException(string name, string version)
        : base($"Model {name}:{version} is already in the registry; a version never changes, so push other bytes as a new version.")
    {
        Name = name;
        Version = version;
    }

    public string? Name { get; }

    public string? Version { get; }
}
